package psn

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// UnixMilli is an instant PSN sends as a string of Unix milliseconds
// ("1747367044076"); it is a time.Time.
type UnixMilli struct{ time.Time }

// UnmarshalJSON reads "1747367044076" (or the bare number); "" and null
// leave the zero time.
func (t *UnixMilli) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		t.Time = time.Time{}
		return nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("psn: timestamp %q is not Unix milliseconds", s)
	}
	t.Time = time.UnixMilli(ms).UTC()
	return nil
}

// MarshalJSON writes PSN's string of Unix milliseconds.
func (t UnixMilli) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte(`""`), nil
	}
	return []byte(`"` + strconv.FormatInt(t.UnixMilli(), 10) + `"`), nil
}

// GroupMember is a member of a group.
type GroupMember struct {
	AccountID string `json:"accountId"`
	OnlineID  string `json:"onlineId"`

	wire wireState
}

// GroupSummary is a group in the token owner's list.
type GroupSummary struct {
	GroupID string `json:"groupId"`
	// GroupType is 0 for a direct-message pair, 1 for a named group.
	GroupType int           `json:"groupType"`
	Members   []GroupMember `json:"members"`

	wire wireState
}

// GroupsPage is a page of the token owner's groups.
type GroupsPage struct {
	Groups []GroupSummary `json:"groups"`
	Page

	wire wireState
}

// GroupsOptions selects a page of groups.
type GroupsOptions struct {
	// ListOptions selects the page (page size 20 for ListAll when Limit
	// is 0).
	ListOptions
}

// List returns a page of the token owner's groups and direct-message
// threads, with members (PSNAWP client.get_groups()).
func (s *GroupService) List(ctx context.Context, opt *GroupsOptions) (*GroupsPage, error) {
	var o GroupsOptions
	if opt != nil {
		o = *opt
	}
	q := pageQuery(o.Limit, o.Offset)
	q.Set("includeFields", "members")
	var out GroupsPage
	if err := s.client.get(ctx, GroupsBaseURL+"/members/me/groups", q, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAll walks every page of the token owner's groups. The groups list
// gives no total, so it stops at the first short page.
func (s *GroupService) ListAll(ctx context.Context, opt *GroupsOptions) iter.Seq2[GroupSummary, error] {
	return allPages(ctx, GroupsBaseURL+"/members/me/groups", opt, 20, func(ctx context.Context, po *GroupsOptions) ([]GroupSummary, Page, error) {
		p, err := s.List(ctx, po)
		if err != nil {
			return nil, Page{}, err
		}
		pg := p.Page
		if len(p.Groups) < po.Limit {
			pg.NextOffset = nil // PSN names a next offset even on the last page
		}
		return p.Groups, pg, nil
	})
}

// GroupName is a group's name and its moderation status.
type GroupName struct {
	Value  string `json:"value"`
	Status int    `json:"status"`

	wire wireState
}

// GroupIcon is a group's icon and its moderation status.
type GroupIcon struct {
	Status  int    `json:"status"`
	IconURL string `json:"iconUrl,omitempty"`

	wire wireState
}

// Message is a message in a group thread.
type Message struct {
	MessageUID             string      `json:"messageUid"`
	MessageType            int         `json:"messageType"`
	AlternativeMessageType int         `json:"alternativeMessageType"`
	Body                   string      `json:"body"`
	CreatedTimestamp       UnixMilli   `json:"createdTimestamp"`
	Sender                 GroupMember `json:"sender"`

	wire wireState
}

// Thread is a group's main thread.
type Thread struct {
	ThreadID          string    `json:"threadId"`
	ModifiedTimestamp UnixMilli `json:"modifiedTimestamp,omitzero"`
	LatestMessage     *Message  `json:"latestMessage,omitempty"`
	ReadMessageUID    string    `json:"readMessageUid,omitempty"`

	wire wireState
}

// NotificationSetting is the owner's notification choice for a group.
type NotificationSetting struct {
	IsMute bool `json:"isMute"`

	wire wireState
}

// GroupDetails is everything about one group (PSNAWP
// group.get_group_information()).
type GroupDetails struct {
	GroupID             string               `json:"groupId"`
	GroupType           int                  `json:"groupType"`
	ModifiedTimestamp   UnixMilli            `json:"modifiedTimestamp,omitzero"`
	GroupName           GroupName            `json:"groupName"`
	GroupIcon           GroupIcon            `json:"groupIcon"`
	JoinedTimestamp     UnixMilli            `json:"joinedTimestamp,omitzero"`
	IsFavorite          bool                 `json:"isFavorite"`
	ExistsNewArrival    bool                 `json:"existsNewArrival"`
	MainThread          Thread               `json:"mainThread"`
	Members             []GroupMember        `json:"members"`
	NotificationSetting *NotificationSetting `json:"notificationSetting,omitempty"`

	wire wireState
}

// groupFields is what Get asks for.
const groupFields = "groupName,groupIcon,members,mainThread,joinedTimestamp,modifiedTimestamp,isFavorite,existsNewArrival,notificationSetting"

// Get returns one group's details; an unknown id is ErrNotFound.
func (s *GroupService) Get(ctx context.Context, groupID string) (*GroupDetails, error) {
	id, err := pathID("groupId", groupID)
	if err != nil {
		return nil, err
	}
	var out GroupDetails
	if err := s.client.get(ctx, GroupsBaseURL+"/members/me/groups/"+id, url.Values{"includeFields": {groupFields}}, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreatedGroup is PSN's answer to Create.
type CreatedGroup struct {
	GroupID              string `json:"groupId"`
	MainThread           Thread `json:"mainThread"`
	HasAllAccountInvited bool   `json:"hasAllAccountInvited"`

	wire wireState
}

type invitee struct {
	AccountID string `json:"accountId"`
}

// Create opens a group with the token's owner and the given accounts. PSN
// answers with the existing group when one has exactly these members (a
// direct-message pair does), else a new one. HasAllAccountInvited is false
// when some invitees' settings refused; when all refused the error matches
// ErrForbidden. PSNAWP's group creation and its invite_members both send
// this request.
func (s *GroupService) Create(ctx context.Context, accountIDs []string) (*CreatedGroup, error) {
	if len(accountIDs) == 0 {
		return nil, &InvalidIDError{Param: "invitees", Problem: "no account ids"}
	}
	body := struct {
		Invitees []invitee `json:"invitees"`
	}{}
	for _, id := range accountIDs {
		if strings.TrimSpace(id) == "" {
			return nil, &InvalidIDError{Param: "invitees", Problem: "empty account id"}
		}
		body.Invitees = append(body.Invitees, invitee{AccountID: id})
	}
	var out CreatedGroup
	if err := s.client.Call(ctx, http.MethodPost, GroupsBaseURL+"/groups", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Rename sets a group's name. Direct-message pairs cannot be renamed
// (ErrBadRequest).
func (s *GroupService) Rename(ctx context.Context, groupID, name string) error {
	id, err := pathID("groupId", groupID)
	if err != nil {
		return err
	}
	body := map[string]any{"groupName": map[string]string{"value": name}}
	return s.client.Call(ctx, http.MethodPatch, GroupsBaseURL+"/groups/"+id, nil, body, nil)
}

// SentMessage is PSN's answer to Send.
type SentMessage struct {
	MessageUID       string    `json:"messageUid"`
	CreatedTimestamp UnixMilli `json:"createdTimestamp"`

	wire wireState
}

// MessageTypeText is the messageType of a text message.
const MessageTypeText = 1

// Send posts a text message to a group's main thread.
func (s *GroupService) Send(ctx context.Context, groupID, text string) (*SentMessage, error) {
	id, err := pathID("groupId", groupID)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"messageType": MessageTypeText, "body": text}
	var out SentMessage
	if err := s.client.Call(ctx, http.MethodPost, GroupsBaseURL+"/groups/"+id+"/threads/"+id+"/messages", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Conversation is a page of a group's messages, newest first.
type Conversation struct {
	Messages         []Message `json:"messages"`
	Previous         string    `json:"previous"`
	Next             string    `json:"next"`
	ReachedEndOfPage bool      `json:"reachedEndOfPage"`
	MessageCount     int       `json:"messageCount"`

	wire wireState
}

// MessagesOptions selects the messages Messages reads.
type MessagesOptions struct {
	// ListOptions: Limit is how many of the newest messages to read
	// (default 20). PSN pages a conversation by cursor
	// (Conversation.Previous), not by offset, so Offset is not sent.
	ListOptions
}

// Messages reads a group's latest messages (PSNAWP
// group.get_conversation()); opt may be nil.
func (s *GroupService) Messages(ctx context.Context, groupID string, opt *MessagesOptions) (*Conversation, error) {
	id, err := pathID("groupId", groupID)
	if err != nil {
		return nil, err
	}
	limit := 20
	if opt != nil && opt.Limit > 0 {
		limit = opt.Limit
	}
	var out Conversation
	if err := s.client.get(ctx, GroupsBaseURL+"/members/me/groups/"+id+"/threads/"+id+"/messages", url.Values{"limit": {strconv.Itoa(limit)}}, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}

// Leave removes the token's owner from a group.
func (s *GroupService) Leave(ctx context.Context, groupID string) error {
	id, err := pathID("groupId", groupID)
	if err != nil {
		return err
	}
	return s.client.Call(ctx, http.MethodDelete, GroupsBaseURL+"/groups/"+id+"/members/me", nil, nil, nil)
}

// Kick removes a member from a group; a non-member is ErrNotFound.
func (s *GroupService) Kick(ctx context.Context, groupID, accountID string) error {
	id, err := pathID("groupId", groupID)
	if err != nil {
		return err
	}
	acc, err := pathID("accountId", accountID)
	if err != nil {
		return err
	}
	return s.client.Call(ctx, http.MethodDelete, GroupsBaseURL+"/groups/"+id+"/members/"+acc, nil, nil, nil)
}
