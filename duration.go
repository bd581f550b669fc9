package psn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseISODuration parses the ISO 8601 durations PSN sends, such as
// "PT228H56M33S", "PT1M9S", "P1DT2H" or "PT0.5S": an optional sign, "P",
// optional weeks and days (a day is 24 hours), then "T" with hours, minutes
// and seconds (seconds may have a fraction). Years and months, which have
// no fixed length, are refused, as are empty designators and values that
// overflow time.Duration. Errors match ErrBadDuration.
func ParseISODuration(s string) (time.Duration, error) {
	bad := func(why string) (time.Duration, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrBadDuration, s, why)
	}
	in := s
	neg := false
	if strings.HasPrefix(in, "-") {
		neg, in = true, in[1:]
	} else if strings.HasPrefix(in, "+") {
		in = in[1:]
	}
	if !strings.HasPrefix(in, "P") {
		return bad("no leading P")
	}
	in = in[1:]
	if in == "" || in == "T" {
		return bad("no components")
	}
	var total float64
	timePart := false
	seen := map[byte]bool{}
	order := "WD"
	last := -1
	for in != "" {
		if in[0] == 'T' {
			if timePart {
				return bad("second T")
			}
			timePart, in, order, last = true, in[1:], "HMS", -1
			if in == "" {
				return bad("T without components")
			}
			continue
		}
		i := 0
		for i < len(in) && (in[i] >= '0' && in[i] <= '9' || in[i] == '.' || in[i] == ',') {
			i++
		}
		if i == 0 || i == len(in) {
			return bad("number without designator")
		}
		num, unit := strings.ReplaceAll(in[:i], ",", "."), in[i]
		in = in[i+1:]
		pos := strings.IndexByte(order, unit)
		if pos < 0 {
			if unit == 'Y' || (unit == 'M' && !timePart) {
				return bad("years and months have no fixed length")
			}
			return bad("unexpected designator " + string(unit))
		}
		if pos <= last {
			return bad("designators out of order")
		}
		last = pos
		key := unit
		if timePart {
			key = unit | 0x20 // lower case keeps M (minute) apart from date designators
		}
		if seen[key] {
			return bad("repeated designator")
		}
		seen[key] = true
		if strings.Count(num, ".") > 1 || num == "." {
			return bad("malformed number")
		}
		if strings.Contains(num, ".") && unit != 'S' {
			return bad("fraction allowed only on seconds")
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return bad("malformed number")
		}
		var mult float64
		switch {
		case !timePart && unit == 'W':
			mult = float64(7 * 24 * time.Hour)
		case !timePart && unit == 'D':
			mult = float64(24 * time.Hour)
		case unit == 'H':
			mult = float64(time.Hour)
		case unit == 'M':
			mult = float64(time.Minute)
		default:
			mult = float64(time.Second)
		}
		total += v * mult
		if total > math.MaxInt64 {
			return bad("overflows time.Duration")
		}
	}
	d := time.Duration(math.Round(total))
	if total >= math.MaxInt64 || d < 0 {
		return bad("overflows time.Duration")
	}
	if neg {
		d = -d
	}
	return d, nil
}

// FormatISODuration writes d the way PSN does: "PT228H56M33S", with
// fractional seconds when d is not whole seconds, and "PT0S" for zero.
func FormatISODuration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	b.WriteString("PT")
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
	}
	if d > 0 || (h == 0 && m == 0) {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
	}
	return b.String()
}
