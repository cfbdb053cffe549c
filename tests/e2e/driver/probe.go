package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// serve accepts exactly one TCP connection on addr, writes reply and exits. It prints
// "listening" once the socket is bound so a caller knows when to connect. Used inside
// a pod namespace to prove that a mapped host port really reaches the pod.
func serve(ctx context.Context, addr, reply string) error {
	if addr == "" {
		usageError("-listen is required for -op serve")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println("listening", ln.Addr())
	if deadline, ok := ctx.Deadline(); ok {
		_ = ln.(*net.TCPListener).SetDeadline(deadline)
	}
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Println("accepted", conn.RemoteAddr())
	_, err = io.WriteString(conn, reply)
	return err
}

// dial connects to addr and prints everything the peer sends until it closes.
func dial(ctx context.Context, addr string) error {
	if addr == "" {
		usageError("-addr is required for -op dial")
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	data, err := io.ReadAll(conn)
	if err != nil {
		return err
	}
	fmt.Print(string(data))
	return nil
}
