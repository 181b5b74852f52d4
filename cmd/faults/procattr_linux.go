package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the service killed if the suite itself dies, so no
// service outlives a run that was killed.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
