// Package scheduler will run danvan's cron jobs (weekly summaries to groups,
// milestones, reminders to heads and residents) in the ward's time zone,
// each run claimed in PostgreSQL for its slot so that several copies of the
// bot send each message once. Nothing is scheduled yet.
package scheduler
