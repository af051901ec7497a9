package flows

// ActionSpec describes a registered button action, for tests outside the
// package: the steps it may be pressed at (nil: any), whether it belongs to
// groups, and whether it is global (no conversation behind it).
type ActionSpec struct {
	Steps  []string
	Group  bool
	Global bool
}

// RegisteredActions lists every button action by name.
func RegisteredActions() map[string]ActionSpec {
	w, err := wire(conversations())
	if err != nil {
		panic(err)
	}
	specs := map[string]ActionSpec{}
	for name, a := range w.actions {
		specs[name] = ActionSpec{Steps: a.steps, Group: a.group}
	}
	for name := range w.globals {
		specs[name] = ActionSpec{Global: true}
	}
	return specs
}

// StateVersion is the version of saved conversation states.
const StateVersion = stateVersion
