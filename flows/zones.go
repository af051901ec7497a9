package flows

import "github.com/danvan/danvan"

// zoneButtons lays out a choice of zones: named by themselves when they are
// all of one ward, otherwise with their ward or commune ("Thôn 1 · Xã Liên
// Hòa"), one to a row so the longer names fit a phone.
func (tr *turn) zoneButtons(zones []danvan.Area, seq int, action string) ([][]danvan.Button, error) {
	labels, wards, err := tr.zoneLabels(zones)
	if err != nil {
		return nil, err
	}
	bs := make([]danvan.Button, len(zones))
	for i, z := range zones {
		bs[i] = danvan.Button{Text: labels[i], Data: buttonData(seq, action, z.ID)}
	}
	perRow := 2
	if wards {
		perRow = 1
	}
	return grid(bs, perRow), nil
}

// zoneLabels names each zone for a list of them, adding its parent's name
// (wards) when the list spans more than one ward or commune.
func (tr *turn) zoneLabels(zones []danvan.Area) (labels []string, wards bool, err error) {
	labels = make([]string, len(zones))
	parents := map[int64]string{}
	for _, z := range zones {
		parents[z.ParentID] = ""
	}
	for i, z := range zones {
		labels[i] = z.Name
	}
	if len(parents) < 2 {
		return labels, false, nil
	}
	for id := range parents {
		if id == 0 {
			continue
		}
		a, err := tr.st.Area(tr.ctx, id)
		if err != nil {
			return nil, false, err
		}
		parents[id] = a.Name
	}
	for i, z := range zones {
		if p := parents[z.ParentID]; p != "" {
			labels[i] = z.Name + " · " + p
		}
	}
	return labels, true, nil
}
