// compose-check validates Compose files with compose-go, the Compose Specification's reference
// loader (the one `docker compose config` uses): the schema, interpolation, YAML merge keys,
// extends and the project's consistency (depends_on, networks and volumes that exist).
//
// Usage: compose-check [-json] FILE...
//
// Each file is loaded as its own project with an empty environment, so the result does not
// depend on the caller's shell. env_file entries are not read: they hold a deployment's secrets
// and are not in the repository (tests/integration/deploy checks their keys against the example
// files instead). Exit status 0 when every file is valid, 1 otherwise; errors go to stderr.
// With -json the loaded project (anchors, merges and defaults resolved) is printed as JSON.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	asJSON := flag.Bool("json", false, "print each loaded project as JSON on stdout")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-json] FILE...")
		os.Exit(2)
	}
	failed := false
	for _, path := range flag.Args() {
		if err := check(path, *asJSON); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(path string, asJSON bool) error {
	project, err := load(path)
	if err != nil {
		return err
	}
	if !asJSON {
		fmt.Printf("%s: valid (%d services)\n", path, len(project.Services))
		return nil
	}
	out, err := project.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(out))
	return err
}

func load(path string) (*types.Project, error) {
	options, err := cli.NewProjectOptions(
		[]string{path},
		cli.WithEnv(nil),
		cli.WithoutEnvironmentResolution,
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
}
