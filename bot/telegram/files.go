package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// MaxDocument is the largest file intake fetches: bank statements are far
// smaller, and Telegram lets bots download at most 20 MB anyway.
const MaxDocument = 5 << 20

// Files fetches the documents people send, before their update is handled:
// a download inside the update's transaction would hold it open on the
// network, and would be repeated by every retry.
type Files struct {
	Token    string
	Endpoint string // template of token and method; "" for Telegram's

	once sync.Once
	api  *tgbotapi.BotAPI
	err  error
	c    *client
}

// fileEndpoint is where getFile's file_path can be downloaded: Telegram
// serves files beside the methods, under /file/bot<token>/<path>.
func fileEndpoint(endpoint string) (string, error) {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	i := strings.LastIndex(endpoint, "/bot%s/%s")
	if i < 0 {
		return "", fmt.Errorf("telegram: cannot tell where files are served from the endpoint template")
	}
	return endpoint[:i] + "/file/bot%s/%s", nil
}

var errTooLarge = fmt.Errorf("telegram: download file: larger than %d bytes", MaxDocument)

// Fetch downloads a file by the platform's id.
func (f *Files) Fetch(ctx context.Context, fileID string) ([]byte, error) {
	f.once.Do(func() {
		f.api, f.err = newAPI(context.WithoutCancel(ctx), f.Token, f.Endpoint, time.Minute)
		f.c = &client{http: &http.Client{Timeout: time.Minute}, ctx: context.WithoutCancel(ctx), token: f.Token}
	})
	if f.err != nil {
		return nil, f.err
	}
	file, err := f.api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("telegram: getFile: %w", err)
	}
	tmpl, err := fileEndpoint(f.Endpoint)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(tmpl, f.Token, file.FilePath), nil)
	if err != nil {
		return nil, errors.New(f.c.redact(err.Error()))
	}
	resp, err := f.c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download file: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download file: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download file: %w", err)
	}
	if len(data) > MaxDocument {
		return nil, errTooLarge
	}
	return data, nil
}

// fetchDocument fills in ev.Document's content, trying a few times: a
// statement that cannot be fetched is answered with a request to send it
// again rather than holding up the person's chat.
func (f *Files) fetchDocument(ctx context.Context, log *slog.Logger, ev *flows.Event) {
	d := ev.Document
	if f == nil || d == nil || d.FileID == "" || ev.Group {
		return
	}
	if d.Size > MaxDocument {
		d.TooLarge = true
		return
	}
	b := bot.NewBackoff(500*time.Millisecond, 5*time.Second)
	for range 3 {
		data, err := f.Fetch(ctx, d.FileID)
		if err == nil {
			d.Data = data
			return
		}
		if errors.Is(err, errTooLarge) {
			d.TooLarge = true
			return
		}
		log.Warn("could not fetch a document", "chat_id", ev.ChatID, "err", err)
		if !bot.Sleep(ctx, b.Next()) {
			break
		}
	}
	d.Unavailable = true
}
