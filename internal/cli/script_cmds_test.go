package cli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ladmin/ladmin/internal/sandbox"
)

// scriptServers finds a script's sandbox by its $WORK directory.
var scriptServers sync.Map // work dir -> *sandbox.Server

// scriptCmds are the testscript commands that reach into the sandbox the way
// a person would through its own pages (outbox, sessions) or its panel
// (issuing a key with a whitelist), which ladmin itself has no command for.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// sandbox-api KEY METHOD PATH [BODY]: one raw request (KEY - sends none);
	// the answer's body goes to stdout. Fails on a non-2xx status unless negated.
	"sandbox-api": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 3 || len(args) > 4 {
			ts.Fatalf("usage: sandbox-api KEY METHOD PATH [BODY]")
		}
		var body io.Reader
		if len(args) == 4 {
			body = strings.NewReader(args[3])
		}
		req, err := http.NewRequest(args[1], ts.Getenv("LADMIN_URL")+expandAgentIDs(ts, args[2]), body)
		ts.Check(err)
		if args[0] != "-" {
			req.Header.Set("apikey", args[0])
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		ts.Check(err)
		ts.Stdout().Write(data)
		ok := resp.StatusCode < 300
		if ok == neg {
			ts.Fatalf("%s %s: %d %s", args[1], args[2], resp.StatusCode, data)
		}
	},
	// totp EMAIL FILE: appends the current two-factor code of the agent, from
	// the secret the outbox lists for it, as a line of FILE.
	"totp": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 {
			ts.Fatalf("usage: totp EMAIL FILE")
		}
		resp, err := http.Get(ts.Getenv("LADMIN_URL") + sandbox.OutboxPath + "?email=" + url.QueryEscape(args[0]))
		ts.Check(err)
		defer resp.Body.Close()
		var mails []sandbox.Invitation
		ts.Check(json.NewDecoder(resp.Body).Decode(&mails))
		secret := ""
		for _, m := range mails {
			if m.Kind == sandbox.KindTwoFactor {
				secret = m.TOTPSecret
			}
		}
		if secret == "" {
			ts.Fatalf("the outbox lists no two-factor secret for %s", args[0])
		}
		code, err := totp.GenerateCode(secret, time.Now())
		ts.Check(err)
		f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		ts.Check(err)
		fmt.Fprintln(f, code)
		ts.Check(f.Close())
	},
	// sleep DURATION: waits (e.g. for a key to expire).
	"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: sleep DURATION")
		}
		d, err := time.ParseDuration(args[0])
		ts.Check(err)
		time.Sleep(d)
	},
	// sandbox-key EMAIL VALID_TO WHITELIST: issues a key for the agent as the
	// LiveAgent panel would (VALID_TO - for never, else YYYY-MM-DD HH:MM:SS
	// UTC); sets $NEWKEY to the secret and $NEWKEY_ID to its id.
	"sandbox-key": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 3 {
			ts.Fatalf("usage: sandbox-key EMAIL VALID_TO WHITELIST")
		}
		v, ok := scriptServers.Load(ts.Getenv("WORK"))
		if !ok {
			ts.Fatalf("no sandbox for this script")
		}
		validTo := args[1]
		if validTo == "-" {
			validTo = ""
		}
		secret, id, err := v.(*sandbox.Server).IssueKey(args[0], "issued in the panel", validTo, args[2])
		ts.Check(err)
		ts.Setenv("NEWKEY", secret)
		ts.Setenv("NEWKEY_ID", id)
	},
}

var agentRef = regexp.MustCompile(`\{id:([^}]+)\}`)

// expandAgentIDs replaces {id:EMAIL} in a path by that agent's id.
func expandAgentIDs(ts *testscript.TestScript, path string) string {
	return agentRef.ReplaceAllStringFunc(path, func(m string) string {
		email := agentRef.FindStringSubmatch(m)[1]
		q := url.Values{"_filters": {`{"email":"` + email + `"}`}}
		req, err := http.NewRequest("GET", ts.Getenv("LADMIN_URL")+"/api/v3/agents?"+q.Encode(), nil)
		ts.Check(err)
		req.Header.Set("apikey", sandbox.OwnerKey)
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		defer resp.Body.Close()
		var found []struct {
			ID string `json:"id"`
		}
		ts.Check(json.NewDecoder(resp.Body).Decode(&found))
		if len(found) != 1 {
			ts.Fatalf("{id:%s}: %d agents found", email, len(found))
		}
		return found[0].ID
	})
}
