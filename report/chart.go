package report

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/danvan/danvan"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Bar is one campaign's money in the chart.
type Bar struct {
	Label                   string // the campaign's code: short, ASCII
	Goal, Pledged, Received danvan.Quantity
}

// The picture is sized for a phone held upright: Telegram shows it the
// width of the screen, so it is wide rather than tall, with large type.
// It grows taller with the number of campaigns so bars stay thick enough
// to tell apart.
const (
	chartDPI       = 100
	chartWidth     = 8 * vg.Inch // 800 px
	chartMinHeight = 5 * vg.Inch // 500 px
	chartMaxHeight = 20 * vg.Inch
	perCampaign    = 0.75 * vg.Inch
)

// chartFont is a sans-serif face, easier on a small screen than plot's
// default serif.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans", Size: 16}

var (
	colourGoal     = color.RGBA{R: 0xbd, G: 0xbd, B: 0xbd, A: 0xff}
	colourPledged  = color.RGBA{R: 0xf5, G: 0x9e, B: 0x0b, A: 0xff}
	colourReceived = color.RGBA{R: 0x16, G: 0xa3, B: 0x4a, A: 0xff}
)

// Chart draws received, pledged and goal of each campaign as horizontal
// bars, in millions of đồng, first campaign on top, and returns a PNG.
// gonum/plot's Liberation fonts have the Vietnamese letters
// with their diacritics, so the labels are written as they are spoken; the
// Go fonts lack most of them.
func Chart(bars []Bar, day time.Time, lang string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = t(lang, msgChartTitle, day.Format("02/01/2006"))
	p.X.Label.Text = t(lang, msgChartAxis)
	p.X.Min = 0
	p.X.Tick.Marker = millionTicks{lang}
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(8)
	for _, s := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.X.Tick.Label.Font,
		&p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		*s = chartFont
	}
	p.Title.TextStyle.Font.Size = chartFont.Size + 4
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(8)

	n := len(bars)
	height := max(chartMinHeight, min(chartMaxHeight, vg.Length(n)*perCampaign+2*vg.Inch))
	// Each campaign has a band one unit high on the Y axis, centred on its
	// index; its three bars take 80 % of it. The plot area is the picture
	// less the title and the X axis, about 1.4 inch.
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	const share = 0.8 / 3 // of a band, per bar
	width := (height - 1.4*vg.Inch) / vg.Length(max(n, 1)) * share

	labels := make([]string, n)
	series := []struct {
		name   string
		colour color.Color
		value  func(Bar) danvan.Quantity
	}{
		{t(lang, msgChartGoal), colourGoal, func(b Bar) danvan.Quantity { return b.Goal }},
		{t(lang, msgChartPledged), colourPledged, func(b Bar) danvan.Quantity { return b.Pledged }},
		{t(lang, msgChartReceived), colourReceived, func(b Bar) danvan.Quantity { return b.Received }},
	}
	top := 0.0
	for i, s := range series {
		vs := make(plotter.Values, n)
		for j, b := range bars {
			// The first campaign goes on top, where the eye starts.
			vs[n-1-j] = millions(s.value(b))
			labels[n-1-j] = b.Label
			top = max(top, vs[n-1-j])
		}
		bc, err := plotter.NewBarChart(vs, width)
		if err != nil {
			return nil, fmt.Errorf("report: chart: %w", err)
		}
		bc.Horizontal = true
		bc.Color = s.colour
		bc.LineStyle.Width = 0
		// Within a campaign's band: goal on top, then pledged, then received.
		bc.Offset = vg.Length(1-i) * width
		p.Add(bc)
		p.Legend.Add(s.name, bc)
	}
	// The share of the goal received, written at the end of the received
	// bar: the figure a committee looks for first.
	pcts := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	for j, b := range bars {
		pcts.XYs[n-1-j] = plotter.XY{X: millions(b.Received), Y: float64(n-1-j) - share}
		pcts.Labels[n-1-j] = fmt.Sprintf("%d%%", percent(b.Received, b.Goal))
	}
	pl, err := plotter.NewLabels(pcts)
	if err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	for i := range pl.TextStyle {
		pl.TextStyle[i].Font = chartFont
		pl.TextStyle[i].YAlign = draw.YCenter
	}
	pl.Offset = vg.Point{X: 4}
	p.Add(pl)
	// Room on the right for the legend and the percentages.
	p.X.Max = max(top, 1) * 1.35
	p.NominalY(labels...)
	// Vertical lines only: horizontal ones would run through the bars.
	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	p.Add(grid)

	c := vgimg.NewWith(vgimg.UseWH(chartWidth, height), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(c))
	// What vgimg.PngCanvas writes, byte for byte, but with the encoder's
	// buffers (a megabyte of deflate state) reused from one chart to the
	// next.
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	return buf.Bytes(), nil
}

var pngEncoder = png.Encoder{BufferPool: &pngBuffers{}}

// pngBuffers lets concurrent charts share encoder buffers.
type pngBuffers struct{ pool sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	e, _ := b.pool.Get().(*png.EncoderBuffer)
	return e
}

func (b *pngBuffers) Put(e *png.EncoderBuffer) { b.pool.Put(e) }

// chartPool draws charts on every core while the caller goes on with the
// database: draw queues a chart, wait waits for all of them.
type chartPool struct {
	jobs chan *chartJob
	done sync.WaitGroup
	all  []*chartJob
}

type chartJob struct {
	bars []Bar
	day  time.Time
	lang string
	png  []byte
	err  error
}

// newChartPool starts a pool for at most n charts.
func newChartPool(n int) *chartPool {
	p := &chartPool{jobs: make(chan *chartJob, n)}
	for range min(n, runtime.GOMAXPROCS(0)) {
		p.done.Add(1)
		go func() {
			defer p.done.Done()
			for j := range p.jobs {
				j.png, j.err = Chart(j.bars, j.day, j.lang)
			}
		}()
	}
	return p
}

// draw queues a chart; its picture is in the job once wait returns.
func (p *chartPool) draw(bars []Bar, day time.Time, lang string) *chartJob {
	j := &chartJob{bars: bars, day: day, lang: lang}
	p.all = append(p.all, j)
	p.jobs <- j
	return j
}

// wait waits for every chart queued and returns the first error.
func (p *chartPool) wait() error {
	close(p.jobs)
	p.done.Wait()
	for _, j := range p.all {
		if j.err != nil {
			return j.err
		}
	}
	return nil
}

// millionTicks labels the axis in whole millions written the Vietnamese
// way (1.200 rather than 1200 or 1.2e+03).
type millionTicks struct{ lang string }

func (m millionTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		v := ts[i].Value
		if v == float64(int64(v)) {
			ts[i].Label = danvan.FormatQuantity(danvan.KindGoods, danvan.Quantity(int64(v)*1000), "", m.lang)
		} else {
			// Fractions of a million appear only for small goals; one
			// decimal is enough to read them.
			ts[i].Label = strings.TrimSuffix(danvan.FormatQuantity(danvan.KindGoods, danvan.Quantity(int64(v*10)*100), "", m.lang), " ")
		}
	}
	return ts
}

func millions(q danvan.Quantity) float64 { return float64(q) / 1e6 }

func percent(q, goal danvan.Quantity) int64 {
	return danvan.Progress{Target: danvan.Target{Goal: goal}, Received: q}.Percent()
}
