// Package exampledb gives the example programs their one command-line
// flag, -db: the SQLite file a program runs on. Without it a program runs
// on a file in a new temporary directory, removed when the program ends,
// so every run starts from an empty store.
package exampledb

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Main parses the command line and calls run with the database file. If
// run fails, Main prints the error after the program's name and exits
// with status 1.
func Main(name string, run func(ctx context.Context, dbPath string) error) {
	dbPath := flag.String("db", "", "SQLite database file (default: a new temp dir, removed at exit)")
	flag.Parse()
	if err := onFile(name, *dbPath, run); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// onFile calls run with dbPath, or with a file in a new temporary
// directory, removed afterwards whatever run did, when dbPath is empty.
func onFile(name, dbPath string, run func(ctx context.Context, dbPath string) error) error {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "lifeline-"+name)
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "lifeline.db")
	}
	return run(context.Background(), dbPath)
}
