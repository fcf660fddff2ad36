package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// zeros is /dev/zero that counts what was read from it.
type zeros struct{ n atomic.Int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n.Add(int64(len(p)))
	return len(p), nil
}

func TestReadSecretFromEndlessInputIsBounded(t *testing.T) {
	ios, _, _, _ := Test()
	z := &zeros{}
	ios.In = z
	_, err := ios.ReadSecret(context.Background(), "key: ")
	if !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("ReadSecret = %v, want ErrLineTooLong", err)
	}
	if n := z.n.Load(); n > 4*MaxLineBytes {
		t.Errorf("read %d bytes to refuse a line over %d", n, MaxLineBytes)
	}
}

func TestReadSecretAtTheLimit(t *testing.T) {
	ios, in, _, _ := Test()
	key := strings.Repeat("k", MaxLineBytes)
	in.WriteString(key + "\r\n")
	got, err := ios.ReadSecret(context.Background(), "key: ")
	if err != nil || got != key {
		t.Fatalf("ReadSecret of a %d-byte key = %d bytes, %v", len(key), len(got), err)
	}
	in.WriteString(key + "k\n")
	if _, err := ios.ReadSecret(context.Background(), "key: "); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("ReadSecret of a %d-byte key = %v, want ErrLineTooLong", len(key)+1, err)
	}
}

// blocked is a stdin nobody types into.
type blocked struct{ unblock chan string }

func (b *blocked) Read(p []byte) (int, error) {
	s, ok := <-b.unblock
	if !ok {
		return 0, io.EOF
	}
	return copy(p, s), nil
}

func TestConfirmGivesUpWhenInterrupted(t *testing.T) {
	ios, _, _, errOut := Test()
	in := &blocked{unblock: make(chan string, 1)}
	ios.In = in
	ctx, cancel := context.WithCancel(context.Background())
	ios.SetContext(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := ios.Confirm("Delete 1 agent: ana@acme.com?")
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Confirm after cancel = %v, want context.Canceled", err)
	}
	if got := errOut.String(); got != "Delete 1 agent: ana@acme.com? [y/N]: \n" {
		t.Errorf("stderr = %q, want the prompt ended by a newline", got)
	}
	// The abandoned read is not lost or doubled: the next prompt gets its line.
	ios.SetContext(context.Background())
	in.unblock <- "yes\n"
	ok, err := ios.Confirm("Again?")
	if err != nil || !ok {
		t.Errorf("Confirm after an abandoned read = %v, %v; want true", ok, err)
	}
}

func TestReadSecretGivesUpOnEitherContext(t *testing.T) {
	for _, which := range []string{"argument", "streams"} {
		t.Run(which, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.In = &blocked{unblock: make(chan string)}
			ctx, cancel := context.WithCancel(context.Background())
			arg := context.Background()
			if which == "argument" {
				arg = ctx
			} else {
				ios.SetContext(ctx)
			}
			done := make(chan error, 1)
			go func() {
				_, err := ios.ReadSecret(arg, "key: ")
				done <- err
			}()
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("ReadSecret = %v, want context.Canceled", err)
			}
		})
	}
}

func TestInContext(t *testing.T) {
	ios, _, _, _ := Test()
	in := &blocked{unblock: make(chan string, 2)}
	ios.In = in
	in.unblock <- "email,name\nana@acme.com,Ana\n"
	close(in.unblock)
	data, err := io.ReadAll(ios.InContext(context.Background()))
	if err != nil || string(data) != "email,name\nana@acme.com,Ana\n" {
		t.Fatalf("ReadAll = %q, %v", data, err)
	}

	// Small reads get every byte of a larger pending read.
	ios2, in2, _, _ := Test()
	in2.WriteString("abcdefgh")
	r := ios2.InContext(context.Background())
	var got []byte
	buf := make([]byte, 3)
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(got) != "abcdefgh" {
		t.Errorf("small reads = %q", got)
	}

	ios3, _, _, _ := Test()
	ios3.In = &blocked{unblock: make(chan string)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(ios3.InContext(ctx))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadAll after cancel = %v, want context.Canceled", err)
	}
}
