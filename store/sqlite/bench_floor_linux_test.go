package sqlite

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkSyncFloor is the disk's own limit for BenchmarkCAS: one 4 KiB
// append plus fdatasync(2) per op, the least a durable commit costs. Read
// BenchmarkCAS's writes/s against this figure.
func BenchmarkSyncFloor(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "floor"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	var off int64
	for b.Loop() {
		if _, err := f.WriteAt(page, off); err != nil {
			b.Fatal(err)
		}
		off += int64(len(page))
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "syncs/s")
}
