package agent

import (
	"unicode"

	"golang.org/x/text/language"
)

// What --sort name puts first. The collator of golang.org/x/text/collate
// orders scripts as Unicode's default table does, Latin < Greek < Cyrillic
// < ... < Kana < Han, whatever the language: its collate.Reorder option
// panics ("TODO: implement") and the BCP 47 "kr" key is ignored. So, as
// CLDR's locale reorder rules and phone contact lists do, ladmin puts the
// names written in the scripts of the user's language first, itself: a
// Russian user sees the Cyrillic names, then the Latin ones; a Japanese
// user the kana and kanji names, then the others. Within each group the
// collator's order holds (Łukasz next to Lukas).

// localScripts are the Unicode scripts of each writing system (ISO 15924
// code, as x/text/language gives a locale's likely script) whose names come
// first. Latin is first in the collator's order already: not listed.
var localScripts = map[string][]*unicode.RangeTable{
	"Cyrl": {unicode.Cyrillic},
	"Grek": {unicode.Greek},
	"Jpan": {unicode.Hiragana, unicode.Katakana, unicode.Han},
	"Kore": {unicode.Hangul, unicode.Han},
	"Hans": {unicode.Han},
	"Hant": {unicode.Han, unicode.Bopomofo},
	"Hani": {unicode.Han},
	"Arab": {unicode.Arabic},
	"Hebr": {unicode.Hebrew},
	"Armn": {unicode.Armenian},
	"Geor": {unicode.Georgian},
	"Ethi": {unicode.Ethiopic},
	"Deva": {unicode.Devanagari},
	"Beng": {unicode.Bengali},
	"Guru": {unicode.Gurmukhi},
	"Gujr": {unicode.Gujarati},
	"Orya": {unicode.Oriya},
	"Taml": {unicode.Tamil},
	"Telu": {unicode.Telugu},
	"Knda": {unicode.Kannada},
	"Mlym": {unicode.Malayalam},
	"Sinh": {unicode.Sinhala},
	"Thai": {unicode.Thai},
	"Laoo": {unicode.Lao},
	"Khmr": {unicode.Khmer},
	"Mymr": {unicode.Myanmar},
	"Tibt": {unicode.Tibetan},
	"Mong": {unicode.Mongolian},
	"Thaa": {unicode.Thaana},
	"Syrc": {unicode.Syriac},
}

// scriptsOf are the scripts whose names come first for lang: its likely
// script (ru: Cyrillic, sr-Latn: Latin, ja: kana and Han), or none for
// Latin-script languages and when no locale is set.
func scriptsOf(lang language.Tag) []*unicode.RangeTable {
	if lang == language.Und {
		return nil
	}
	script, _ := lang.Script()
	return localScripts[script.String()]
}

// The groups of nameGroup, in the order they are listed.
const (
	groupNonLetter = iota // "1st line", "(temp) Ana": before every letter, as in the collator and CLDR
	groupLocal            // the scripts of the user's language
	groupOther            // every other script, in the collator's order
)

// nameGroup says which group a name belongs to by its first character
// other than a space.
func nameGroup(name string, local []*unicode.RangeTable) byte {
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			continue
		case !unicode.IsLetter(r):
			return groupNonLetter
		case len(local) > 0 && unicode.IsOneOf(local, r):
			return groupLocal
		}
		return groupOther
	}
	return groupNonLetter
}
