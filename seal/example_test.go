package seal_test

import (
	"fmt"
	"log"

	"github.com/psnkit/psn/seal"
)

func ExampleRing_Seal() {
	ring, err := seal.NewRing()
	if err != nil {
		log.Fatal(err)
	}
	ad := seal.AD{Purpose: "psn-token", Account: "alice", Field: "refresh"}

	sealed, err := ring.Seal(ad, []byte("a refresh token"))
	if err != nil {
		log.Fatal(err)
	}
	id, _ := seal.KeyIDOf(sealed)
	fmt.Println("sealed with the primary key:", id == ring.Primary())

	token, err := ring.Open(ad, sealed)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(token))

	// The same envelope copied to another account does not open.
	_, err = ring.Open(seal.AD{Purpose: "psn-token", Account: "bob", Field: "refresh"}, sealed)
	fmt.Println(err != nil)
	// Output:
	// sealed with the primary key: true
	// a refresh token
	// true
}

func ExampleOpenRing() {
	// In the psn tools the KEK comes from seal.ResolveKEK(os.Getenv, configDir).
	kek := seal.KeyBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")

	ring, err := seal.NewRing()
	if err != nil {
		log.Fatal(err)
	}
	sealed, err := ring.Seal(seal.AD{Purpose: "npsso", Account: "alice"}, []byte("npsso value"))
	if err != nil {
		log.Fatal(err)
	}
	blob, err := ring.Marshal(kek) // store this next to the sealed rows
	if err != nil {
		log.Fatal(err)
	}

	// Later, perhaps in another process:
	reopened, err := seal.OpenRing(blob, kek)
	if err != nil {
		log.Fatal(err) // errors.Is(err, seal.ErrWrongKey) when the KEK differs
	}
	npsso, err := reopened.Open(seal.AD{Purpose: "npsso", Account: "alice"}, sealed)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(npsso))
	fmt.Println(kek) // sources print their kind, never the key
	// Output:
	// npsso value
	// base64 key
}
