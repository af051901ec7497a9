// Package localpg runs the private PostgreSQL server that danvan uses when
// DATABASE_URL is unset. It initialises a cluster from the machine's
// installed server binaries, runs it listening only on a Unix socket inside
// its folder, and stops it again, so that a bot needs no database set up by
// hand and tests need no running service.
//
// Layout of Options.Dir:
//
//	data/          the cluster (PGDATA), mode 0700
//	postgres.log   everything initdb and postgres print
//	localpg.lock   serialises initialisation and start between processes
//	.s.PGSQL.5432  the socket, unless Dir's path is too long for one
package localpg
