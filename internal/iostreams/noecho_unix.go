//go:build linux || darwin

package iostreams

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off before the secret is read, in the
// caller's goroutine, and returns how to turn it back on. Doing it here,
// not inside a reading goroutine (as term.ReadPassword does), is what lets
// Ctrl-C restore the terminal reliably: the restore can never run before
// the echo was turned off, so the shell is never left without echo.
func echoOff(fd int) (restore func(), ok bool) {
	saved, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, false
	}
	quiet := *saved
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return nil, false
	}
	return func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermios, saved) }, true
}
