//go:build !linux && !darwin

package iostreams

// echoOff is not available here: ReadSecret falls back to term.ReadPassword.
func echoOff(int) (restore func(), ok bool) { return nil, false }
