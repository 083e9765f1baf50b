// yaml-oracle reads YAML the ways helm v3.17.3 does, many documents per process, so that Rudder's
// reader can be compared with go-yaml on the same input (tests/yaml_oracle.rs).
//
// Protocol, on stdin: a request is a line `MODE LENGTH\n` followed by LENGTH bytes of input. For each
// request one line is written to stdout: `ok JSON` (the value as encoding/json marshals it; for
// toyaml a JSON string) or `err JSON` (the error text as a JSON string).
//
// Modes (each is what Helm calls at one place where it reads or writes YAML):
//
//	values  chartutil.ReadValues: sigs.k8s.io/yaml Unmarshal into map[string]interface{}; an empty
//	        map is {} (values.yaml, -f files)
//	any     sigs.k8s.io/yaml Unmarshal into interface{} (what fromYaml, Chart.yaml and manifest
//	        heads go through before their typed step)
//	toyaml  the template function toYaml of the JSON value given as input (sigs.k8s.io/yaml Marshal,
//	        one trailing newline trimmed)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

func answer(mode string, input []byte) (interface{}, error) {
	switch mode {
	case "values":
		var vals map[string]interface{}
		err := yaml.Unmarshal(input, &vals)
		if err != nil {
			return nil, err
		}
		if len(vals) == 0 {
			vals = map[string]interface{}{}
		}
		return vals, nil
	case "any":
		var v interface{}
		err := yaml.Unmarshal(input, &v)
		return v, err
	case "toyaml":
		var v interface{}
		if err := json.Unmarshal(input, &v); err != nil {
			return nil, fmt.Errorf("bad toyaml input: %w", err)
		}
		out, err := yaml.Marshal(v)
		if err != nil {
			return "", nil
		}
		return strings.TrimSuffix(string(out), "\n"), nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		header, err := in.ReadString('\n')
		if err == io.EOF && header == "" {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "yaml-oracle: reading request:", err)
			os.Exit(2)
		}
		var mode string
		var n int
		if _, err := fmt.Sscanf(header, "%s %d", &mode, &n); err != nil {
			fmt.Fprintf(os.Stderr, "yaml-oracle: bad request line %q\n", header)
			os.Exit(2)
		}
		input := make([]byte, n)
		if _, err := io.ReadFull(in, input); err != nil {
			fmt.Fprintln(os.Stderr, "yaml-oracle: reading input:", err)
			os.Exit(2)
		}
		v, err := answer(mode, input)
		var line []byte
		if err == nil {
			line, err = json.Marshal(v)
			if err != nil {
				err = fmt.Errorf("oracle: %w", err)
			}
		}
		if err != nil {
			line, _ = json.Marshal(err.Error())
			out.WriteString("err ")
		} else {
			out.WriteString("ok ")
		}
		out.Write(line)
		out.WriteByte('\n')
		out.Flush()
	}
}
