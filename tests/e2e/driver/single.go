package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

// runSingle performs one ADD, CHECK or DEL of the whole list for one attachment.
func runSingle(ctx context.Context, o *options) error {
	if o.conflist == "" || o.containerID == "" {
		usageError("-conflist and -containerid are required for -op %s", o.op)
	}
	if o.netns == "" && o.op != "del" {
		usageError("-netns is required for -op %s", o.op)
	}
	list, err := libcni.ConfListFromFile(o.conflist)
	if err != nil {
		return fmt.Errorf("reading %s: %w", o.conflist, err)
	}
	rt, err := runtimeConf(o, o.containerID, o.netns)
	if err != nil {
		return err
	}
	cni := libcni.NewCNIConfigWithCacheDir(splitDirs(o.binDirs), o.cacheDir, nil)

	switch o.op {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			return err
		}
		// Print in the version the chain answered with, as a runtime would record it.
		return result.Print()
	case "check":
		if err := cni.CheckNetworkList(ctx, list, rt); err != nil {
			return err
		}
	case "del":
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			return err
		}
	}
	_, err = fmt.Println("{}")
	return err
}

// printError writes err as CNI error JSON on stdout. Plugin errors keep their code;
// errors of the driver or libcni itself carry code 0 so callers can tell them apart.
func printError(err error) {
	var cniErr *types.Error
	if !errors.As(err, &cniErr) {
		cniErr = &types.Error{Code: 0, Msg: err.Error()}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	_ = enc.Encode(cniErr)
	fmt.Fprintln(os.Stderr, "cnidriver:", err)
}
