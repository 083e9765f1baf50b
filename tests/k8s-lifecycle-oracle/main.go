// Command k8s-lifecycle-oracle prints the API lifecycle of every type registered in client-go's
// scheme (the scheme Helm's lint converts rendered objects into), one line per type that declares a
// deprecation: group, version, kind, introduced, deprecated, removed and replacement, tab-separated,
// sorted. tests/deprecated_apis_oracle.rs compares it with Rudder's table (src/chart/deprecated_apis.rs).
package main

import (
	"fmt"
	"os"
	"sort"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kscheme "k8s.io/client-go/kubernetes/scheme"
)

type introduced interface{ APILifecycleIntroduced() (int, int) }
type deprecated interface{ APILifecycleDeprecated() (int, int) }
type removed interface{ APILifecycleRemoved() (int, int) }
type replacement interface {
	APILifecycleReplacement() schema.GroupVersionKind
}

func version(major, minor int) string {
	if major == 0 && minor == 0 {
		return "-"
	}
	return fmt.Sprintf("%d.%d", major, minor)
}

func main() {
	scheme := runtime.NewScheme()
	if err := kscheme.AddToScheme(scheme); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var lines []string
	for gvk := range scheme.AllKnownTypes() {
		obj, err := scheme.New(gvk)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		d, ok := obj.(deprecated)
		if !ok {
			continue
		}
		dMajor, dMinor := d.APILifecycleDeprecated()
		if dMajor == 0 && dMinor == 0 {
			continue
		}
		intro, rem, repl := "-", "-", "-"
		if i, ok := obj.(introduced); ok {
			intro = version(i.APILifecycleIntroduced())
		}
		if r, ok := obj.(removed); ok {
			rem = version(r.APILifecycleRemoved())
		}
		if r, ok := obj.(replacement); ok {
			if gvk := r.APILifecycleReplacement(); !gvk.Empty() {
				repl = gvk.GroupVersion().String() + " " + gvk.Kind
			}
		}
		lines = append(lines, fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s",
			gvk.Group, gvk.Version, gvk.Kind, intro, version(dMajor, dMinor), rem, repl))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}
