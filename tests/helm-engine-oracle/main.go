// helm-engine-oracle renders charts held in memory with Helm v3.17.3's own loader, values coalescing
// and template engine, many cases per process, so that Rudder's engine can be compared with Helm's on
// the same input (tests/engine_fuzz.rs, scripts/engine-fuzz).
//
// Protocol: one JSON object per line on stdin, one JSON object per line on stdout, in order.
//
//	request:  {"files": [{"name": "Chart.yaml", "data": "<base64>"}, ...]}
//	          the chart's files as loader.LoadFiles takes them (paths relative to the chart root);
//	answer:   {"ok": {"<chart>/templates/x.yaml": "<base64 of the output>", ...}}
//	          or {"err": "<error text>"}
//
// Each chart is rendered as `helm template` renders it on a client without a cluster: its
// dependencies processed (chartutil.ProcessDependenciesWithMerge); the values are
// the chart's own (no -f/--set), coalesced by chartutil.ToRenderValues with release name "rel",
// namespace "ns", revision 1, install; the default capabilities; engine.Render (not strict, not lint,
// no DNS). Errors are the loader's, the coalescing's or the engine's, as helm prints them after
// "Error: ".
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

type file struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

type request struct {
	Files []file `json:"files"`
}

type answer struct {
	Ok  map[string][]byte `json:"ok,omitempty"`
	Err *string           `json:"err,omitempty"`
}

func render(req request) (map[string][]byte, error) {
	var files []*loader.BufferedFile
	for _, f := range req.Files {
		files = append(files, &loader.BufferedFile{Name: f.Name, Data: f.Data})
	}
	chrt, err := loader.LoadFiles(files)
	if err != nil {
		return nil, err
	}
	// As `helm template` (action.Install) does: conditions, tags, aliases and import-values of the
	// chart's dependencies, against the (empty) user values.
	if err := chartutil.ProcessDependenciesWithMerge(chrt, map[string]interface{}{}); err != nil {
		return nil, err
	}
	options := chartutil.ReleaseOptions{
		Name:      "rel",
		Namespace: "ns",
		Revision:  1,
		IsInstall: true,
	}
	vals, err := chartutil.ToRenderValues(chrt, map[string]interface{}{}, options, chartutil.DefaultCapabilities.Copy())
	if err != nil {
		return nil, err
	}
	out, err := engine.Render(chrt, vals)
	if err != nil {
		return nil, err
	}
	result := make(map[string][]byte, len(out))
	for k, v := range out {
		result[k] = []byte(v)
	}
	return result, nil
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		line, err := in.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			return
		}
		var req request
		var ans answer
		if jerr := json.Unmarshal(line, &req); jerr != nil {
			fmt.Fprintln(os.Stderr, "helm-engine-oracle: bad request:", jerr)
			os.Exit(2)
		}
		result, rerr := render(req)
		if rerr != nil {
			text := rerr.Error()
			ans.Err = &text
		} else {
			ans.Ok = result
			if ans.Ok == nil {
				ans.Ok = map[string][]byte{}
			}
		}
		enc, _ := json.Marshal(ans)
		out.Write(enc)
		out.WriteByte('\n')
		out.Flush()
	}
}
