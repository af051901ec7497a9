package vietqr

import (
	"fmt"

	"github.com/danvan/danvan"
)

// PledgeSize is the side of a pledge's QR picture in pixels: large enough
// for a phone camera to read off another phone's screen, small enough (a
// few kilobytes) to queue with every money pledge.
const PledgeSize = 512

// ForPledge is the picture that pays amount (what is still open) of a
// pledge into its campaign's account, with a memo of the campaign's and the
// pledge's codes so the bank statement line can be matched to the pledge.
func ForPledge(bank danvan.BankAccount, campaignCode, pledgeCode string, amount int64) (png []byte, memo string, err error) {
	payload, memo, err := PledgePayload(bank, campaignCode, pledgeCode, amount)
	if err != nil {
		return nil, memo, err
	}
	png, err = PNG(payload, PledgeSize)
	if err != nil {
		return nil, memo, fmt.Errorf("vietqr: pledge %s: %w", pledgeCode, err)
	}
	return png, memo, nil
}

// PledgePayload is what ForPledge draws: the payload of the transfer, to
// be drawn with PNG at PledgeSize, and its memo.
func PledgePayload(bank danvan.BankAccount, campaignCode, pledgeCode string, amount int64) (payload, memo string, err error) {
	memo = Memo(campaignCode, pledgeCode)
	payload, err = Payload(Transfer{BIN: bank.BIN, Account: bank.Account, Amount: amount, Purpose: memo})
	if err != nil {
		return "", memo, fmt.Errorf("vietqr: pledge %s: %w", pledgeCode, err)
	}
	return payload, memo, nil
}

// banks names the banks of the commonest NAPAS BINs, as people call them.
var banks = map[string]string{
	"970436": "Vietcombank",
	"970405": "Agribank",
	"970418": "BIDV",
	"970415": "VietinBank",
	"970422": "MB",
	"970407": "Techcombank",
	"970416": "ACB",
	"970432": "VPBank",
	"970423": "TPBank",
	"970403": "Sacombank",
	"970437": "HDBank",
	"970441": "VIB",
	"970443": "SHB",
	"970431": "Eximbank",
	"970426": "MSB",
	"970448": "OCB",
	"970440": "SeABank",
	"970449": "LPBank",
}

// BankName is the bank of a NAPAS BIN as people call it, or the BIN itself
// for one not listed.
func BankName(bin string) string {
	if n, ok := banks[bin]; ok {
		return n
	}
	return bin
}
