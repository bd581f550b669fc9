package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// evict drops the binary at path from the page cache (after writing it
// back, since dirty pages stay). It matters: the kernel maps a binary's
// file pages in 64 KiB windows (fault-around) and sometimes whole large
// folios, and only what is in the page cache — so a binary's RSS depends
// on how its pages got there. A binary the linker or cp has just written
// sits in the cache in whatever folios the writes made, and its RSS can
// come out some MiB higher or lower than the same binary read from disk,
// which is the state it runs in after install. run measures every binary
// from that state: evicted, then read by one unmeasured run of each
// command.
func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("dropping %s from the page cache: %w", path, err)
	}
	return nil
}
