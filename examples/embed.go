// Package examples holds example setup files, embedded so that `danvan
// demo` works from any folder.
package examples

import _ "embed"

// QuangYen is quang-yen.yaml: the wards of Quảng Yên and their real
// campaigns.
//
//go:embed quang-yen.yaml
var QuangYen []byte
