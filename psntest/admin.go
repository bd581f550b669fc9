package psntest

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// adminHandler serves the simulator's own endpoints under /_sim/. They are
// not PSN's: no faults, no rate limit, no credentials.
func (s *Sim) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, struct {
			Users []User `json:"users"`
		}{s.Users()})
	})
	mux.HandleFunc("POST /_sim/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, s.AddUser())
	})
	mux.HandleFunc("POST /_sim/users/{onlineId}/npsso", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("onlineId")
		if _, err := s.NewNPSSO(id); err != nil {
			adminError(w, err)
			return
		}
		u, _ := s.userPublic(id)
		writeJSON(w, http.StatusOK, u)
	})
	mux.HandleFunc("DELETE /_sim/users/{onlineId}/npsso", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.RevokeNPSSO(r.PathValue("onlineId")))
	})
	mux.HandleFunc("DELETE /_sim/users/{onlineId}/refresh-tokens", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.RevokeRefreshTokens(r.PathValue("onlineId")))
	})
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /_sim/clock", func(w http.ResponseWriter, r *http.Request) {
		writeClock(w, s.Now())
	})
	mux.HandleFunc("POST /_sim/clock", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Advance string `json:"advance"`
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, adminErr{"body must be {\"advance\":\"<Go duration>\"}"})
			return
		}
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, adminErr{"advance must be a non-negative Go duration, e.g. 65m"})
			return
		}
		s.Advance(d)
		s.log.Info("psntest: clock advanced", "by", d)
		writeClock(w, s.Now())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, adminErr{"no such admin endpoint: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

type adminErr struct {
	Error string `json:"error"`
}

func adminError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, ErrUnknownUser) {
		status = http.StatusNotFound
	}
	writeJSON(w, status, adminErr{err.Error()})
}

func adminDone(w http.ResponseWriter, err error) {
	if err != nil {
		adminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeClock(w http.ResponseWriter, now time.Time) {
	writeJSON(w, http.StatusOK, struct {
		Now string `json:"now"`
	}{now.UTC().Format(time.RFC3339)})
}

// userPublic returns the user with that online id.
func (s *Sim) userPublic(onlineID string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.lookupOnline(onlineID)
	if err != nil {
		return User{}, err
	}
	return u.public(), nil
}
