package psn

import "context"

// accountIDResponse is DMS's answer to /v1/devices/accounts/me.
type accountIDResponse struct {
	AccountID string `json:"accountId"`
}

// AccountID returns the numeric account id of the token's owner (DMS
// /v1/devices/accounts/me). Most calls accept "me" instead; profiles do not.
func (s *UserService) AccountID(ctx context.Context, opts ...CallOption) (string, error) {
	var out accountIDResponse
	if err := s.client.get(ctx, DMSBaseURL+"/v1/devices/accounts/me", nil, &out, opts); err != nil {
		return "", err
	}
	if out.AccountID == "" {
		return "", &ResponseError{Status: 200, URL: DMSBaseURL + "/v1/devices/accounts/me", Problem: "no accountId in the answer"}
	}
	return out.AccountID, nil
}
