package main

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// logCounts is what a replica's log (every life of it) says it did. psn
// vault serve logs each saved token ("vault: token refreshed", after the
// save) with its reason, each failed refresh and each account found to need
// a login; the lines never hold a secret.
type logCounts struct {
	SavedRefresh  int     // "vault: token refreshed" reason=refresh_token
	SavedNPSSO    int     // "vault: token refreshed" reason=npsso
	RefreshFailed int     // "vault: refresh failed"
	SaveFailed    int     // of those, a save after PSN answered ("saving refreshed token")
	LoginRequired int     // "vault: login required…"
	Warn, Error   int     // every WARN and ERROR line
	Kinds         counter // failure messages by kind (errorKind of the err= value or msg)
}

// scanLog counts a replica's slog text lines.
func scanLog(r io.Reader) *logCounts {
	c := &logCounts{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		msg := logField(line, "msg")
		level := logField(line, "level")
		switch {
		case msg == "vault: token refreshed":
			if logField(line, "reason") == "npsso" {
				c.SavedNPSSO++
			} else {
				c.SavedRefresh++
			}
		case msg == "vault: refresh failed":
			c.RefreshFailed++
			if strings.Contains(logField(line, "err"), "saving refreshed token") {
				c.SaveFailed++
			}
		case strings.HasPrefix(msg, "vault: login required"):
			c.LoginRequired++
		}
		switch level {
		case "WARN":
			c.Warn++
		case "ERROR":
			c.Error++
		}
		if level == "WARN" || level == "ERROR" {
			what := logField(line, "err")
			if what == "" {
				what = msg
			}
			c.Kinds.inc(level + " " + errorKind(what))
		}
	}
	return c
}

// logField returns the value of key=value in a log/slog text line ("" when
// absent), unquoting a quoted value.
func logField(line, key string) string {
	for i := 0; i < len(line); {
		// at the start of a key
		j := strings.IndexByte(line[i:], '=')
		if j < 0 {
			return ""
		}
		k := line[i : i+j]
		v := i + j + 1
		var val string
		var end int
		if v < len(line) && line[v] == '"' {
			// quoted: find the closing quote, honouring escapes
			e := v + 1
			for e < len(line) && line[e] != '"' {
				if line[e] == '\\' {
					e++
				}
				e++
			}
			end = min(e+1, len(line))
			if u, err := strconv.Unquote(line[v:end]); err == nil {
				val = u
			} else {
				val = line[v:end]
			}
		} else {
			sp := strings.IndexByte(line[v:], ' ')
			if sp < 0 {
				end = len(line)
			} else {
				end = v + sp
			}
			val = line[v:end]
		}
		if k == key {
			return val
		}
		i = end
		for i < len(line) && line[i] == ' ' {
			i++
		}
	}
	return ""
}

// metricSum adds every sample of the Prometheus text-format series name
// (any labels) whose labels contain match ("" for all).
func metricSum(text, name, match string) float64 {
	var sum float64
	for line := range strings.SplitSeq(text, "\n") {
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		labels := ""
		if strings.HasPrefix(rest, "{") {
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				continue
			}
			labels, rest = rest[1:end], rest[end+1:]
		} else if !strings.HasPrefix(rest, " ") {
			continue // another series sharing the prefix
		}
		if match != "" && !strings.Contains(labels, match) {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		if v, err := strconv.ParseFloat(f[0], 64); err == nil {
			sum += v
		}
	}
	return sum
}
