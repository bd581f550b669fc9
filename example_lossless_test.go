package psn_test

import (
	"encoding/json"
	"fmt"

	"github.com/psnkit/psn"
)

// A decoded result encodes back to what PSN sent: false and 0 as sent,
// absent members absent, and members no field names (here a new
// "trophyGrade") after the named ones.
func ExampleTrophy_MarshalJSON() {
	fromPSN := `{"trophyId":7,"trophyHidden":false,"earned":false,"trophyType":"gold","trophyRare":0,"trophyEarnedRate":"0.4","trophyGrade":{"tier":"S"}}`
	var t psn.Trophy
	if err := json.Unmarshal([]byte(fromPSN), &t); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.TrophyID, t.Earned, t.TrophyRare)
	out, _ := json.Marshal(t)
	fmt.Println(string(out))
	// Output:
	// 7 false 0
	// {"trophyId":7,"trophyHidden":false,"trophyType":"gold","earned":false,"trophyEarnedRate":"0.4","trophyRare":0,"trophyGrade":{"tier":"S"}}
}
