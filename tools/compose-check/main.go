// compose-check validates Compose files with compose-go, the Compose Specification's reference
// loader (the one `docker compose config` uses): the schema, interpolation, YAML merge keys,
// extends and the project's consistency (depends_on, networks and volumes that exist).
//
// Usage: compose-check [-json] FILE...
//
//	compose-check -env-files FILE...
//
// Each file is loaded as its own project with an empty environment, so the result does not
// depend on the caller's shell. env_file entries are not read: they hold a deployment's secrets
// and are not in the repository (tests/integration/deploy checks their keys against the example
// files instead). Exit status 0 when every file is valid, 1 otherwise; errors go to stderr.
// With -json the loaded project (anchors, merges and defaults resolved) is printed as JSON.
// With -env-files the files are read as compose reads an env_file, and printed as one JSON
// object {file: {key: value}} (so a test can see the values a container would get).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	asJSON := flag.Bool("json", false, "print each loaded project as JSON on stdout")
	envFiles := flag.Bool("env-files", false, "read the files as env_file entries, print them as JSON")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-json] FILE... | compose-check -env-files FILE...")
		os.Exit(2)
	}
	if *envFiles {
		if err := printEnvFiles(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
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

func printEnvFiles(paths []string) error {
	read := map[string]map[string]string{}
	for _, path := range paths {
		values, err := dotenv.GetEnvFromFile(map[string]string{}, []string{path})
		if err != nil {
			return err
		}
		read[path] = values
	}
	out, err := json.Marshal(read)
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(out))
	return err
}
