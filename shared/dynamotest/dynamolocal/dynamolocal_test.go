package dynamolocal

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeInstall creates a DynamoDB Local folder with empty files and puts a
// fake java command first on the PATH.
func fakeInstall(t *testing.T, withLauncher bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, JarName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, LibDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if withLauncher {
		if err := os.Mkdir(filepath.Join(dir, LauncherDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, LauncherDir, LauncherClass+".class"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "java"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	return dir
}

func TestCommand(t *testing.T) {
	tests := []struct {
		name         string
		launcher     bool
		opts         Options
		wantLoopback bool
		wantArgs     []string // in order, each after the previous one
	}{
		{
			name:         "in memory with launcher",
			launcher:     true,
			opts:         Options{Port: 8123},
			wantLoopback: true,
			wantArgs:     []string{"-cp", LauncherClass, "-sharedDb", "-disableTelemetry", "-port", "8123", "-inMemory"},
		},
		{
			name:         "on disk without launcher",
			opts:         Options{Port: 8000, DBPath: "/data/dynamodb"},
			wantLoopback: false,
			wantArgs:     []string{"-jar", "-sharedDb", "-disableTelemetry", "-port", "8000", "-dbPath", "/data/dynamodb"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fakeInstall(t, tt.launcher)
			cmd, loopback, err := Command(dir, tt.opts)
			if err != nil {
				t.Fatalf("Command: %v", err)
			}
			if loopback != tt.wantLoopback {
				t.Errorf("loopback = %v, want %v", loopback, tt.wantLoopback)
			}
			args := cmd.Args[1:]
			if want := "-Djava.library.path=" + filepath.Join(dir, LibDir); args[0] != want {
				t.Errorf("first argument = %q, want %q", args[0], want)
			}
			i := 0
			for _, a := range args {
				if i < len(tt.wantArgs) && a == tt.wantArgs[i] {
					i++
				}
			}
			if i != len(tt.wantArgs) {
				t.Errorf("arguments = %q, want them to contain %q in order", args, tt.wantArgs)
			}
			if !slices.Contains(cmd.Env, "DDB_LOCAL_TELEMETRY=0") {
				t.Error("environment lacks DDB_LOCAL_TELEMETRY=0, the only switch that turns telemetry off")
			}
			joined := strings.Join(args, " ")
			if strings.Contains(joined, "-inMemory") && strings.Contains(joined, "-dbPath") {
				t.Errorf("arguments = %q, want -inMemory or -dbPath, not both", args)
			}
		})
	}
}

func TestCommand_InvalidPort(t *testing.T) {
	dir := fakeInstall(t, false)
	for _, port := range []int{0, -1, 65536} {
		if _, _, err := Command(dir, Options{Port: port}); err == nil {
			t.Errorf("Command(port %d) error = nil, want an error", port)
		}
	}
}

func TestCheck_NotInstalled(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
	}{
		{"no folder", func(t *testing.T) string { fakeInstall(t, false); return filepath.Join(t.TempDir(), "missing") }},
		{"no jar", func(t *testing.T) string {
			dir := fakeInstall(t, false)
			os.Remove(filepath.Join(dir, JarName))
			return dir
		}},
		{"no java", func(t *testing.T) string {
			dir := fakeInstall(t, false)
			t.Setenv("PATH", t.TempDir())
			return dir
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.setup(t))
			if !errors.Is(err, ErrNotInstalled) {
				t.Fatalf("Check error = %v, want ErrNotInstalled", err)
			}
			if !strings.Contains(err.Error(), "make tools") {
				t.Errorf("Check error = %q, want it to say to run make tools", err)
			}
		})
	}
}

func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	nested := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, nested} {
		got, err := ModuleRoot(dir)
		if err != nil || got != root {
			t.Errorf("ModuleRoot(%s) = %q, %v, want %q", dir, got, err, root)
		}
	}
}

func TestDefaultDir_Env(t *testing.T) {
	t.Setenv(EnvDir, "/opt/dynamodb-local")
	got, err := DefaultDir()
	if err != nil || got != "/opt/dynamodb-local" {
		t.Errorf("DefaultDir() = %q, %v, want /opt/dynamodb-local", got, err)
	}
}

func TestDefaultDir_ModuleRoot(t *testing.T) {
	t.Setenv(EnvDir, "")
	got, err := DefaultDir()
	if err != nil {
		t.Fatalf("DefaultDir: %v", err)
	}
	// The test runs in this package's folder, three levels below the root.
	root, _ := filepath.Abs(filepath.Join("..", "..", ".."))
	if want := filepath.Join(root, ".local", "tools", "dynamodb-local"); got != want {
		t.Errorf("DefaultDir() = %q, want %q", got, want)
	}
}
