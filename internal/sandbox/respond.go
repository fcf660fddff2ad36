package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// apiError is an error the client is told about: a status and one sentence.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

// invalidField is the 422 for a bad field value; the message names the field
// so a person can fix the input without reading the API docs.
func invalidField(field, format string, args ...any) *apiError {
	return errorf(http.StatusUnprocessableEntity, "field %q: %s", field, fmt.Sprintf(format, args...))
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, format, args...)
}

func conflict(format string, args ...any) *apiError {
	return errorf(http.StatusConflict, format, args...)
}

// forbidden carries rbac's reason verbatim: the CLI prints the same sentence.
func forbidden(reason string) *apiError {
	return &apiError{status: http.StatusForbidden, message: reason}
}

// writeJSON writes v as the JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded; this would be a programming error.
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, "{\"message\":\"internal error: cannot encode the response\"}\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// ok is the body of a success with no payload (OkResponse).
var ok = struct{}{}

// writeError writes an error as an ErrorResponse. Errors that are not
// apiErrors are internal: the client gets a generic 500.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errorf(http.StatusInternalServerError, "internal server error")
	}
	writeJSON(w, ae.status, liveagent.ErrorResponse{Message: ae.message})
}

// maxBodyBytes is the largest request body accepted (413 beyond).
const maxBodyBytes = 1 << 20

// decodeBody reads a JSON object into v: 413 when over 1 MiB, 400 when it is
// not JSON (or not an object), 422 when a field has the wrong type. Unknown
// fields are ignored, as the real API does.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errorf(http.StatusRequestEntityTooLarge, "the request body is larger than %d bytes (1 MiB)", maxBodyBytes)
		}
		return badRequest("could not read the request body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("the request body is empty; send a JSON object")
	}
	if err := checkUTF8("the request body", data); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return badRequest("the request body must be a JSON object, not %s", typeErr.Value)
			}
			field := typeErr.Field
			if i := strings.IndexByte(field, '.'); i >= 0 {
				field = field[:i]
			}
			return invalidField(field, "got a JSON %s, want %s", typeErr.Value, jsonKind(typeErr.Type.Kind().String()))
		}
		return badRequest("the request body is not valid JSON: %v", err)
	}
	return nil
}

// checkUTF8 refuses text that is not UTF-8 (400): encoding/json would
// silently turn each bad byte into U+FFFD, and an email or name would then
// be stored as something the client never sent.
func checkUTF8(what string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return badRequest("%s is not valid UTF-8: invalid byte 0x%02X at offset %d", what, data[i], i)
}

// jsonKind names a Go kind the way a JSON user would.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "ptr":
		return "a value"
	}
	return "a number"
}
