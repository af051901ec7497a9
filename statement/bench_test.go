package statement

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse reads a Vietcombank statement of 10,000 lines, a decade of
// a busy ward's account.
func BenchmarkParse(b *testing.B) {
	const n = 10000
	var sb strings.Builder
	sb.WriteString("\xEF\xBB\xBFNGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM\r\nSố tài khoản:,1023456789\r\n")
	sb.WriteString("STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Số dư,Mô tả\r\n")
	for i := range n {
		fmt.Fprintf(&sb, "%d,%02d/%02d/2026,%d.%05d,,\"%d,000\",\"%d,000\",MBVCB.%d.NGUYEN VAN AN chuyen tien ung ho K%dQ2.CT tu 0011004455667\r\n",
			i+1, i%28+1, i%12+1, 5000+i/100000, i, 100+i%900, 1000+i, 11223344+i, i%8+2)
	}
	sb.WriteString("Tổng cộng,,,,,,\r\n")
	data := []byte(sb.String())
	layouts := BuiltinLayouts()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := Parse(data, layouts)
		if err != nil || len(st.Lines) != n || len(st.Problems) != 0 {
			b.Fatalf("err %v, %d lines, problems %v", err, len(st.Lines), st.Problems[:min(3, len(st.Problems))])
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
