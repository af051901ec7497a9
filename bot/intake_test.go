package bot

import (
	"errors"
	"fmt"
	"testing"
)

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	cause := errors.New("cause")
	err := fmt.Errorf("handling: %w", Permanent(cause))
	if !errors.Is(err, ErrPermanent) || !errors.Is(err, cause) || err.Error() != "handling: cause" {
		t.Errorf("%v: Is ErrPermanent %v, Is cause %v", err, errors.Is(err, ErrPermanent), errors.Is(err, cause))
	}
	if errors.Is(cause, ErrPermanent) {
		t.Error("an unmarked error is permanent")
	}
}
