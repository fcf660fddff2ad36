package output

import (
	"errors"
	"fmt"
	"io"

	"github.com/itchyny/gojq"
)

// compileJQ parses and compiles a --jq expression; compiling also catches
// unknown functions, which parsing alone lets through.
func compileJQ(expr string) (*gojq.Code, error) {
	query, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid jq expression %q: %v", expr, err)
	}
	code, err := gojq.Compile(query)
	if err != nil {
		return nil, fmt.Errorf("invalid jq expression %q: %v", expr, err)
	}
	return code, nil
}

// writeJQ runs expr on v and prints each result on its own line: strings raw
// (like `gh --jq` and `jq -r`), anything else as compact JSON.
func writeJQ(w io.Writer, expr string, v any) error {
	code, err := compileJQ(expr)
	if err != nil {
		return err
	}
	input, err := generic(v)
	if err != nil {
		return err
	}
	iter := code.Run(input)
	for {
		result, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := result.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil // plain `halt` stops without an error, as in jq
			}
			return fmt.Errorf("jq: %v", err)
		}
		var line []byte
		if s, ok := result.(string); ok {
			line = []byte(s)
		} else if line, err = gojq.Marshal(result); err != nil {
			return err
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
}
