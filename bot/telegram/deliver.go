package telegram

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// DefaultLimits are Telegram's published limits (Bot FAQ).
func DefaultLimits() bot.Limits { return bot.Limits{Global: 30, Chat: 1, ChatBurst: 3, Group: 20} }

// Channel delivers the outbox's messages to Telegram chats.
type Channel struct {
	api *tgbotapi.BotAPI
}

// NewChannel connects to the Bot API; every call ends with ctx and takes
// at most timeout.
func NewChannel(ctx context.Context, token, endpoint string, timeout time.Duration) (*Channel, error) {
	api, err := newAPI(ctx, token, endpoint, timeout)
	if err != nil {
		return nil, err
	}
	return &Channel{api: api}, nil
}

// Name is the channel's name.
func (c *Channel) Name() danvan.Channel { return danvan.Telegram }

// Deliver makes the message's Bot API call and sorts Telegram's refusals
// into the sender's classes.
func (c *Channel) Deliver(_ context.Context, m danvan.OutboxMessage, _ func(int) error) error {
	chat, err := strconv.ParseInt(m.Ref, 10, 64)
	if err != nil {
		return bot.Refused(false, "Telegram chat id %q: %v", m.Ref, err)
	}
	err = deliver(c.api, chat, m.Outgoing)
	e, isAPI := apiError(err)
	switch {
	case err == nil || !isAPI:
		return err
	case e.Code == 429:
		return &bot.Throttled{After: time.Duration(e.RetryAfter) * time.Second, Reason: e.Message}
	case e.MigrateToChatID != 0:
		return &bot.Moved{To: strconv.FormatInt(e.MigrateToChatID, 10)}
	case e.Code == 400 && strings.Contains(e.Message, "message is not modified"):
		return bot.ErrUnchanged
	case e.Code == 403:
		return bot.Refused(true, "%s", e.Message)
	case e.Code == 400:
		return bot.Refused(false, "%d %s", e.Code, e.Message)
	}
	return err
}

// deliver renders one outgoing message as a Bot API call.
func deliver(api *tgbotapi.BotAPI, chat int64, o danvan.Outgoing) error {
	switch o.Kind {
	case danvan.OutSend:
		msg := tgbotapi.NewMessage(chat, o.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		if len(o.Buttons) > 0 {
			msg.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(msg)
		return err
	case danvan.OutEdit:
		edit := tgbotapi.NewEditMessageText(chat, int(o.MessageID), o.Text)
		edit.ParseMode = tgbotapi.ModeHTML
		edit.DisableWebPagePreview = true
		if len(o.Buttons) > 0 {
			kb := keyboard(o.Buttons)
			edit.ReplyMarkup = &kb
		}
		_, err := api.Request(edit)
		return err
	case danvan.OutAnswer:
		_, err := api.Request(tgbotapi.NewCallback(o.CallbackID, o.Text))
		return err
	case danvan.OutPhoto:
		photo := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: "chart.png", Bytes: o.Photo})
		photo.Caption = o.Text
		photo.ParseMode = tgbotapi.ModeHTML
		if len(o.Buttons) > 0 {
			photo.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(photo)
		return err
	case danvan.OutDocument:
		doc := tgbotapi.NewDocument(chat, tgbotapi.FileBytes{Name: o.FileName, Bytes: o.Document})
		doc.Caption = o.Text
		doc.ParseMode = tgbotapi.ModeHTML
		if len(o.Buttons) > 0 {
			doc.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(doc)
		return err
	case danvan.OutCommands:
		cs := make([]tgbotapi.BotCommand, len(o.Commands))
		for i, c := range o.Commands {
			cs[i] = tgbotapi.BotCommand{Command: c.Command, Description: c.Description}
		}
		_, err := api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(chat), cs...))
		return err
	}
	return bot.Refused(false, "unknown outgoing kind %q", o.Kind)
}

func keyboard(rows [][]danvan.Button) tgbotapi.InlineKeyboardMarkup {
	kb := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: make([][]tgbotapi.InlineKeyboardButton, len(rows))}
	for i, row := range rows {
		for _, b := range row {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
	}
	return kb
}

// Username is the bot's username, for links to it.
func (c *Channel) Username() string { return c.api.Self.UserName }
