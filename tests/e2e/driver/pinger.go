package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

// sysSetns is setns(2) on linux/amd64; the syscall package has no wrapper for it.
const sysSetns = 308

// firstEchoReply sends ICMP echo requests from inside the network namespace at
// netnsPath to dst every interval until the first matching reply arrives or the
// deadline passes, and returns how long that took. It runs in-process (raw socket
// opened inside the namespace) so the measurement is not inflated by starting
// ping/nsenter processes.
func firstEchoReply(netnsPath string, dst net.IP, interval, deadline time.Duration) (time.Duration, error) {
	type outcome struct {
		d   time.Duration
		err error
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		// The thread enters the pod namespace and is never unlocked, so Go retires it
		// when this goroutine ends instead of reusing it elsewhere.
		runtime.LockOSThread()
		fd, err := openIcmpIn(netnsPath, dst)
		if err != nil {
			done <- outcome{err: err}
			return
		}
		defer syscall.Close(fd)
		err = echoUntilReply(fd, dst, interval, start.Add(deadline))
		done <- outcome{d: time.Since(start), err: err}
	}()
	o := <-done
	return o.d, o.err
}

func openIcmpIn(netnsPath string, dst net.IP) (int, error) {
	ns, err := os.Open(netnsPath)
	if err != nil {
		return -1, err
	}
	defer ns.Close()
	if _, _, errno := syscall.RawSyscall(sysSetns, ns.Fd(), syscall.CLONE_NEWNET, 0); errno != 0 {
		return -1, fmt.Errorf("setns %s: %w", netnsPath, errno)
	}
	if dst.To4() != nil {
		return syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.IPPROTO_ICMP)
	}
	// The kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets.
	return syscall.Socket(syscall.AF_INET6, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.IPPROTO_ICMPV6)
}

func echoUntilReply(fd int, dst net.IP, interval time.Duration, deadline time.Time) error {
	v4 := dst.To4() != nil
	var sa syscall.Sockaddr
	echoRequest, echoReply := byte(128), byte(129)
	if v4 {
		a := &syscall.SockaddrInet4{}
		copy(a.Addr[:], dst.To4())
		sa = a
		echoRequest, echoReply = 8, 0
	} else {
		a := &syscall.SockaddrInet6{}
		copy(a.Addr[:], dst.To16())
		sa = a
	}
	tv := syscall.NsecToTimeval(interval.Nanoseconds())
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	id := uint16(os.Getpid())
	buf := make([]byte, 1500)
	var lastErr error
	for seq := uint16(1); time.Now().Before(deadline); seq++ {
		msg := make([]byte, 16)
		msg[0] = echoRequest
		binary.BigEndian.PutUint16(msg[4:], id)
		binary.BigEndian.PutUint16(msg[6:], seq)
		copy(msg[8:], "cv6bench")
		if v4 {
			binary.BigEndian.PutUint16(msg[2:], icmpChecksum(msg))
		}
		if err := syscall.Sendto(fd, msg, 0, sa); err != nil {
			// No route yet (e.g. address still tentative) counts as "not answered yet".
			lastErr = err
			time.Sleep(interval)
			continue
		}
		// Read until this interval's timeout: any reply with our id counts, also one for an earlier seq.
		for {
			n, _, err := syscall.Recvfrom(fd, buf, 0)
			if err != nil {
				if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
					break
				}
				return err
			}
			icmp := buf[:n]
			if v4 {
				// Raw IPv4 sockets deliver the IP header too.
				if n < 20 {
					continue
				}
				icmp = icmp[int(buf[0]&0x0f)*4:]
			}
			if len(icmp) >= 8 && icmp[0] == echoReply && binary.BigEndian.Uint16(icmp[4:]) == id {
				return nil
			}
		}
	}
	if lastErr != nil {
		return fmt.Errorf("no echo reply from %s before the deadline (last send error: %v)", dst, lastErr)
	}
	return fmt.Errorf("no echo reply from %s before the deadline", dst)
}

// icmpChecksum is the RFC 1071 internet checksum of an ICMPv4 message.
func icmpChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
