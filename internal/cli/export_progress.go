package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// exportProgress shows an export's progress on stderr.
type exportProgress interface {
	// begin starts the display: total titles, done of them already.
	begin(total, done int)
	// step says that done titles are now written, the last one name.
	step(done int, name string)
	// waiting says that the rate limit holds requests until until. It may
	// be called from the client's goroutine at any time.
	waiting(until time.Time)
	// end finishes the display.
	end()
	// interrupt ends the display where it stands (Ctrl-C), so that the
	// next line starts at the left margin.
	interrupt()
}

// newExportProgress picks a bar for a terminal and plain lines otherwise.
func (a *App) newExportProgress() exportProgress {
	if isTerminal(a.stderr) {
		return &barProgress{w: a.stderr}
	}
	return &lineProgress{w: a.stderr, every: 5 * time.Second, now: time.Now}
}

// barProgress draws a progress bar (github.com/schollz/progressbar).
type barProgress struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func (p *barProgress) begin(total, done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total == 0 {
		return // nothing to show; progressbar treats max 0 as unknown
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("export"),
		progressbar.OptionSetItsString("titles"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		// A linear estimate is wrong while the rate limit holds requests:
		// show the elapsed time, and say when the limit holds (waiting).
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)
	p.bar.Set(done)
}

func (p *barProgress) step(done int, _ string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Describe("export")
		p.bar.Set(done)
	}
}

func (p *barProgress) waiting(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf("rate limit: waiting until %s", until.Local().Format("15:04:05"))
	if p.bar == nil {
		fmt.Fprintf(p.w, "psn: %s\n", msg)
		return
	}
	p.bar.Describe(msg)
}

func (p *barProgress) interrupt() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && !p.bar.IsFinished() {
		fmt.Fprintln(p.w)
	}
}

func (p *barProgress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
}

// lineProgress prints a plain line at most every `every`, and at the end:
// fit for logs and pipes.
type lineProgress struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time

	mu          sync.Mutex
	total       int
	last        time.Time
	start       time.Time
	startedDone int
}

func (p *lineProgress) begin(total, done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start, p.last, p.startedDone = total, p.now(), p.now(), done
	fmt.Fprintf(p.w, "psn: export: %d/%d titles\n", done, total)
}

func (p *lineProgress) step(done int, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if done < p.total && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	pct := 100
	if p.total > 0 {
		pct = done * 100 / p.total
	}
	eta := ""
	if n := done - p.startedDone; n > 0 && done < p.total {
		left := time.Duration(float64(now.Sub(p.start)) / float64(n) * float64(p.total-done))
		eta = ", about " + humanDuration(left) + " left"
	}
	fmt.Fprintf(p.w, "psn: export: %d/%d titles (%d%%)%s — %s\n", done, p.total, pct, eta, name)
}

func (p *lineProgress) waiting(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "psn: export: rate limit (%s): waiting until %s\n", rateLimitText, until.Local().Format("15:04:05"))
}

func (p *lineProgress) end() {}

func (p *lineProgress) interrupt() {}
