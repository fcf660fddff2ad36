package sandbox

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
)

// A taken port is said in one sentence, not net.Listen's repetition of the
// operation and the address.
func TestServeAddressInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()

	srv, err := New(Options{DB: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Serve(context.Background(), addr, io.Discard) // Serve closes srv
	if want := "sandbox: cannot listen on " + addr + ": address already in use"; err == nil || err.Error() != want {
		t.Fatalf("Serve on a taken port: %v, want %q", err, want)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("the error %v does not wrap EADDRINUSE", err)
	}
}

func TestListenReason(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"nope", "sandbox: cannot listen on nope: missing port in address"},
		{"127.0.0.1:99999", "sandbox: cannot listen on 127.0.0.1:99999: invalid port"},
	}
	for _, tt := range tests {
		_, err := net.Listen("tcp", tt.addr)
		if err == nil {
			t.Fatalf("listening on %s succeeded", tt.addr)
		}
		if got := (&listenError{addr: tt.addr, err: err}).Error(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.addr, got, tt.want)
		}
	}
}
