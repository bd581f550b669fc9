package server

import (
	"fmt"
	"time"
)

// chartData is the status page's SVG chart, laid out server-side: one
// bar per 10-minute bucket, refreshes stacked under failures.
type chartData struct {
	Width, Height, Base int // view box, and the y of the baseline
	LabelY              int // the y of the time labels' baseline
	Bars                []chartBar
	Ticks               []chartTick
	Max                 int // the largest bucket total (the top of the scale)
	Refreshes, Failures int // totals over the 24 hours
	Since               when
}

type chartBar struct {
	X, W           int
	RY, RH, FY, FH int // refresh and failure rectangles (height 0: none)
	Title          string
}

type chartTick struct {
	X      int
	Anchor string
	Label  string
}

// Chart geometry, in view-box units.
const (
	chartBarW  = 5
	chartTop   = 14 // room for the scale label
	chartPlotH = 90
)

// drawChart lays out bars (oldest first) as the page's SVG.
func drawChart(bars []activityBar, now, since time.Time) chartData {
	c := chartData{Width: len(bars) * chartBarW, Base: chartTop + chartPlotH, Since: whenOf(now, since)}
	c.Height = c.Base + 14
	c.LabelY = c.Height - 3
	for _, b := range bars {
		c.Max = max(c.Max, b.Refreshes+b.Failures)
		c.Refreshes += b.Refreshes
		c.Failures += b.Failures
	}
	scale := func(n int) int {
		if n == 0 || c.Max == 0 {
			return 0
		}
		return max(1, n*chartPlotH/c.Max)
	}
	for i, b := range bars {
		bar := chartBar{X: i * chartBarW, W: chartBarW - 1}
		bar.RH, bar.FH = scale(b.Refreshes), scale(b.Failures)
		bar.RY = c.Base - bar.RH
		bar.FY = bar.RY - bar.FH
		end := b.Start.Add(activityBucket)
		bar.Title = fmt.Sprintf("%s–%s UTC: %d refreshes, %d failures", b.Start.Format("15:04"), end.Format("15:04"), b.Refreshes, b.Failures)
		c.Bars = append(c.Bars, bar)
	}
	for _, t := range []struct {
		i      int
		anchor string
		label  string
	}{{0, "start", "24 h ago"}, {len(bars) / 2, "middle", "12 h ago"}, {len(bars), "end", "now"}} {
		c.Ticks = append(c.Ticks, chartTick{X: t.i * chartBarW, Anchor: t.anchor, Label: t.label})
	}
	return c
}
