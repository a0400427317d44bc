// Writes schema-embed.json and terraform-mapping-embed.json as upstream's cmd/pulumi-resource-kubernetes/generate.go
// does (the schema with its version set, both re-serialised compactly), reading from the module's folder (first
// argument) and writing to the main package's folder here (second argument).
package main

import (
	"encoding/json"
	"log"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: gen <module cmd folder> <output folder>")
	}
	from, to := os.Args[1], os.Args[2]
	version := os.Getenv("VERSION")
	if version == "" {
		log.Fatal("VERSION is not set")
	}

	contents, err := os.ReadFile(filepath.Join(from, "schema.json"))
	if err != nil {
		log.Fatal(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(contents, &spec); err != nil {
		log.Fatalf("cannot deserialize schema: %v", err)
	}
	spec.Version = version
	write(filepath.Join(to, "schema-embed.json"), spec)

	mappingContents, err := os.ReadFile(filepath.Join(from, "terraform-mapping.json"))
	if err != nil {
		log.Fatal(err)
	}
	var mapping interface{}
	if err := json.Unmarshal(mappingContents, &mapping); err != nil {
		log.Fatalf("cannot deserialize terraform mapping: %v", err)
	}
	write(filepath.Join(to, "terraform-mapping-embed.json"), mapping)
}

func write(path string, value interface{}) {
	out, err := json.Marshal(value)
	if err != nil {
		log.Fatalf("cannot reserialize %s: %v", path, err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		log.Fatal(err)
	}
}
