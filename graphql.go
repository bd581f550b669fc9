package psn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// GraphQLError is an error PSN's GraphQL endpoint returned with HTTP 200.
// It matches ErrUnexpectedResponse.
type GraphQLError struct {
	Operation string
	Messages  []string
}

// Error describes the failure.
func (e *GraphQLError) Error() string {
	return fmt.Sprintf("psn: graphql %s: %s", e.Operation, strings.Join(e.Messages, "; "))
}

// Is makes errors.Is(err, ErrUnexpectedResponse) work.
func (e *GraphQLError) Is(target error) bool { return target == ErrUnexpectedResponse }

// Persisted-query hashes of the PlayStation app's GraphQL operations.
const (
	hashGetUserGameList        = "e780a6d8b921ef0c59ec01ea5c5255671272ca0d819edb61320914cf7a78b3ae"
	hashGetPurchasedGameList   = "827a423f6a8ddca4107ac01395af2ec0eafd8396fc7fa204aaf9b7ed2eefa168"
	graphQLClientName          = "PlayStationApp-Android"
	graphQLClientVersion       = "25.4.0"
	graphQLClientNameHeader    = "apollographql-client-name"
	graphQLClientVersionHeader = "apollographql-client-version"
)

// graphql runs a persisted GraphQL query and decodes its "data" into out,
// in the same pass as the rest of the answer.
func graphql[T any](ctx context.Context, c *Client, operation, hash string, variables any, out *T) error {
	vars, err := json.Marshal(variables)
	if err != nil {
		return fmt.Errorf("psn: encoding graphql variables: %w", err)
	}
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}})
	q := url.Values{"operationName": {operation}, "variables": {string(vars)}, "extensions": {string(ext)}}
	hdr := http.Header{}
	hdr.Set(graphQLClientNameHeader, graphQLClientName)
	hdr.Set(graphQLClientVersionHeader, graphQLClientVersion)
	env := struct {
		Data   *T `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}{}
	if err := c.get(ctx, GraphQLURL, q, &env, hdr); err != nil {
		var re *ResponseError
		if errors.As(err, &re) {
			re.Problem = "graphql " + operation + ": " + re.Problem
		}
		return err
	}
	if len(env.Errors) > 0 {
		e := &GraphQLError{Operation: operation}
		for _, m := range env.Errors {
			e.Messages = append(e.Messages, m.Message)
		}
		return e
	}
	if env.Data == nil {
		return &ResponseError{Status: http.StatusOK, URL: GraphQLURL, Problem: "graphql " + operation + ": no data"}
	}
	*out = *env.Data
	return nil
}

// GraphQLImage is an image in GraphQL answers.
type GraphQLImage struct {
	Typename string `json:"__typename,omitempty"`
	URL      string `json:"url"`

	wire wireState
}
