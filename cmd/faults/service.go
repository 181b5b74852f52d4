package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// findRepo walks up from the working directory to the repository root:
// the directory whose go.mod declares module commonground.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module commonground\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of module commonground above the working directory (use -repo)")
		}
		dir = parent
	}
}

// buildService builds the service binary from the repository root into dir.
func buildService(ctx context.Context, repo, dir string) (string, error) {
	bin := filepath.Join(dir, "commonground")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// logBuffer keeps the first maxLog bytes a service writes to stderr.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const maxLog = 16 << 20

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := maxLog - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// tail returns the last n lines of the log.
func (l *logBuffer) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// service is one run of the service binary as a child process.
type service struct {
	base string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	log  *logBuffer
	done chan struct{} // closed when the process has exited
	exit int           // exit code, -1 when ended by a signal; valid after done
}

// serviceEnv is the environment of a service run: the caller's, without
// any of the service's own settings, plus those in set.
func serviceEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "COMMONGROUND_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// startService starts the binary on a free port of 127.0.0.1 with the
// settings in set (DATABASE_URL, COMMONGROUND_…). It does not wait for the
// service to be ready.
func startService(bin string, set map[string]string) (*service, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	all := map[string]string{"COMMONGROUND_ADDR": fmt.Sprintf("127.0.0.1:%d", port)}
	for k, v := range set {
		all[k] = v
	}
	s := &service{base: fmt.Sprintf("http://127.0.0.1:%d", port), log: &logBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin)
	s.cmd.Env = serviceEnv(all)
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		s.cmd.Wait()
		s.exit = s.cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	return s, nil
}

// waitReady polls /healthz until it answers 200, the process exits or
// timeout passes.
func (s *service) waitReady(ctx context.Context, timeout time.Duration) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("the service exited with status %d before it was ready:\n%s", s.exit, s.log.tail(15))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := c.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the service was not ready within %s:\n%s", timeout, s.log.tail(15))
}

// launch starts the service and waits until it is ready.
func launch(ctx context.Context, bin string, set map[string]string) (*service, error) {
	s, err := startService(bin, set)
	if err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// exited reports whether the process has ended.
func (s *service) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// terminate sends SIGTERM and waits up to wait for the process to exit; if
// it has not, it is killed with SIGKILL. It returns how long the process
// took to exit after SIGTERM and whether it had to be killed.
func (s *service) terminate(wait time.Duration) (took time.Duration, killed bool) {
	start := time.Now()
	if s.exited() {
		return 0, false
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return time.Since(start), false
	case <-time.After(wait):
		s.kill()
		return time.Since(start), true
	}
}

// kill ends the process with SIGKILL and waits for it.
func (s *service) kill() {
	if s.exited() {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}
