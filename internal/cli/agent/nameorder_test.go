package agent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// names in several scripts, in no particular order.
var mixedNames = []string{
	"Zoe Young", "山田太郎", "Борис Иванов", "Łukasz Żółć", "김민준", "さくら", "Άννα Παππά",
	"Lukas Berg", "李小龍", "Юрий Гагарин", "カタカナ", "Anna Smith", "Анна Петрова", "1st Line Bot",
}

func sortedNames(env map[string]string) []string {
	agents := make([]liveagent.Agent, len(mixedNames))
	for i, n := range mixedNames {
		agents[i] = liveagent.Agent{Name: n, Email: fmt.Sprintf("a%02d@example.com", i)}
	}
	sortByName(agents, func(k string) string { return env[k] })
	out := make([]string, len(agents))
	for i, a := range agents {
		out[i] = a.Name
	}
	return out
}

// TestSortByNamePutsTheLocalesScriptsFirst: the names in the scripts of the
// user's language come first, then the others in the collator's order
// (Latin, Greek, Cyrillic, Hangul, kana, Han); Łukasz stays next to Lukas.
func TestSortByNamePutsTheLocalesScriptsFirst(t *testing.T) {
	latin := []string{"Anna Smith", "Lukas Berg", "Łukasz Żółć", "Zoe Young"}
	greek := []string{"Άννα Παππά"}
	cyrillic := []string{"Анна Петрова", "Борис Иванов", "Юрий Гагарин"}
	hangul := []string{"김민준"}
	kana := []string{"カタカナ", "さくら"} // by sound: ka before sa, katakana or hiragana
	han := []string{"山田太郎", "李小龍"}  // Unicode's default order (code points here)
	cat := func(groups ...[]string) []string {
		out := []string{"1st Line Bot"} // digits and punctuation first, whatever the locale
		for _, g := range groups {
			out = append(out, g...)
		}
		return out
	}
	defaultOrder := cat(latin, greek, cyrillic, hangul, kana, han)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"no locale", nil, defaultOrder},
		{"C locale", map[string]string{"LANG": "C.UTF-8"}, defaultOrder},
		{"Polish (Latin)", map[string]string{"LANG": "pl_PL.UTF-8"}, defaultOrder},
		{"Russian", map[string]string{"LANG": "ru_RU.UTF-8"}, cat(cyrillic, latin, greek, hangul, kana, han)},
		{"Ukrainian in LC_COLLATE over English LANG", map[string]string{"LANG": "en_US.UTF-8", "LC_COLLATE": "uk_UA.UTF-8"}, cat(cyrillic, latin, greek, hangul, kana, han)},
		{"LC_ALL over everything", map[string]string{"LANG": "ru_RU.UTF-8", "LC_ALL": "en_GB.UTF-8"}, defaultOrder},
		{"Serbian (Cyrillic by default)", map[string]string{"LANG": "sr_RS.UTF-8"}, cat(cyrillic, latin, greek, hangul, kana, han)},
		{"Serbian in Latin", map[string]string{"LANG": "sr_RS.UTF-8@latin"}, defaultOrder},
		{"Greek", map[string]string{"LANG": "el_GR.UTF-8"}, cat(greek, latin, cyrillic, hangul, kana, han)},
		{"Japanese: kana and kanji", map[string]string{"LANG": "ja_JP.UTF-8"}, cat(kana, han, latin, greek, cyrillic, hangul)},
		// Chinese collation is by pinyin: 李 (lǐ) before 山 (shān).
		{"Chinese", map[string]string{"LANG": "zh_CN.UTF-8"}, cat([]string{"李小龍", "山田太郎"}, latin, greek, cyrillic, hangul, kana)},
		// Hanja by their Korean reading: 李 (ri) before 山 (san).
		{"Korean: Hangul, then Hanja", map[string]string{"LANG": "ko_KR.UTF-8"}, cat(hangul, []string{"李小龍", "山田太郎"}, latin, greek, cyrillic, kana)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sortedNames(tc.env); strings.Join(got, " | ") != strings.Join(tc.want, " | ") {
				t.Errorf("\n got %s\nwant %s", strings.Join(got, " | "), strings.Join(tc.want, " | "))
			}
		})
	}
}

func TestSortByNameTiesByEmail(t *testing.T) {
	agents := []liveagent.Agent{
		{Name: "Иван", Email: "Zed@example.com"}, {Name: "Ivan", Email: "b@example.com"},
		{Name: "Иван", Email: "alpha@example.com"},
	}
	sortByName(agents, func(k string) string { return map[string]string{"LANG": "ru_RU.UTF-8"}[k] })
	var got []string
	for _, a := range agents {
		got = append(got, a.Name+" "+a.Email)
	}
	want := "Иван alpha@example.com, Иван Zed@example.com, Ivan b@example.com"
	if strings.Join(got, ", ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, ", "), want)
	}
}

func TestNameGroupSkipsLeadingSpaces(t *testing.T) {
	cyr := scriptsOf(userLanguage(func(k string) string { return map[string]string{"LANG": "ru_RU"}[k] }))
	for name, want := range map[string]byte{
		"  Анна": groupLocal, "Anna": groupOther, "(temp) Анна": groupNonLetter, "": groupNonLetter, "007": groupNonLetter,
	} {
		if got := nameGroup(name, cyr); got != want {
			t.Errorf("nameGroup(%q) = %d, want %d", name, got, want)
		}
	}
}
