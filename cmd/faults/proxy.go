package main

import (
	"net"
	"sync"
)

// proxy is a TCP proxy on 127.0.0.1 in front of one upstream address. It
// can freeze: connections stay open, new ones are accepted, but nothing is
// forwarded either way until it thaws, as with a database host that stops
// answering without closing anything.
type proxy struct {
	ln       net.Listener
	upstream string

	mu     sync.Mutex
	frozen bool
	thaw   chan struct{} // closed when the proxy thaws
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func startProxy(upstream string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{ln: ln, upstream: upstream, thaw: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	close(p.thaw)
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the proxy's listening address, host:port.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

// Freeze stops all forwarding until Thaw.
func (p *proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.frozen {
		p.frozen = true
		p.thaw = make(chan struct{})
	}
}

// Thaw resumes forwarding, including what was held while frozen.
func (p *proxy) Thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen {
		p.frozen = false
		close(p.thaw)
	}
}

// gate returns a channel that is closed once the proxy is not frozen.
func (p *proxy) gate() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.thaw
}

// Close stops the proxy and closes every connection.
func (p *proxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.Thaw()
	p.wg.Wait()
}

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) accept() {
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(down) {
			return
		}
		p.wg.Go(func() {
			// Frozen: the connection is accepted but not even passed on.
			<-p.gate()
			up, err := net.Dial("tcp", p.upstream)
			if err != nil {
				down.Close()
				return
			}
			if !p.track(up) {
				down.Close()
				return
			}
			var both sync.WaitGroup
			both.Go(func() { p.pipe(up, down) })
			both.Go(func() { p.pipe(down, up) })
			both.Wait()
		})
	}
}

// pipe copies from src to dst, holding each chunk while frozen.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			<-p.gate()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
