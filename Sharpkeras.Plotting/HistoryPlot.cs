using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace Sharpkeras;

/// <summary>
/// <c>history.Plot(path)</c>: the training curves of a <see cref="History"/> as a PNG or SVG figure, one panel
/// per quantity (loss, then each metric in the order Keras logged them; the learning rate when it changed),
/// training and validation in the same two colours in every panel, whole-number epoch ticks (epochs counted
/// from 1 as Keras's progress bar counts them), one legend above the panels, and a title with the model's name.
/// </summary>
public static class HistoryPlot
{
    /// <summary>The colour of training curves (matplotlib's first colour, as Keras tutorials show them).</summary>
    public static readonly Color TrainColor = Color.FromHex("#1f77b4");

    /// <summary>The colour of validation curves.</summary>
    public static readonly Color ValidationColor = Color.FromHex("#ff7f0e");

    /// <summary>
    /// Writes the figure to <paramref name="path"/>: PNG for ".png", SVG for ".svg" (written atomically).
    /// </summary>
    /// <param name="history">What <c>Fit</c> returned.</param>
    /// <param name="path">The file to write; its extension picks the format (".png" or ".svg").</param>
    /// <param name="title">The figure title; default "Training history: MODEL" (the model's name), plus
    /// <paramref name="subtitle"/> when given.</param>
    /// <param name="subtitle">Text added to the default title after " — ", e.g. the data it trained on.</param>
    /// <param name="width">Figure width in pixels (default: 420 per panel, at least 640).</param>
    /// <param name="height">Figure height in pixels (default 420).</param>
    /// <returns>The full path written.</returns>
    public static string Plot(this History history, string path, string? title = null, string? subtitle = null,
        int? width = null, int? height = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
            throw new ArgumentException($"path must end in .png or .svg; got '{path}'.", nameof(path));
        if (width is <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be positive.");
        if (height is <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be positive.");
        var panels = Panels(history);
        if (panels.Count == 0)
            throw new ArgumentException("The history holds no values to plot: train the model with Fit (epochs ≥ 1) first.", nameof(history));

        title ??= "Training history" + (history.Model is { } m ? ": " + m.Name : "") + (subtitle is { Length: > 0 } ? " — " + subtitle : "");
        int w = width ?? Math.Max(640, 420 * panels.Count);
        int h = height ?? 420;
        var figure = new Figure(history, panels, title);

        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (ext == ".png")
            {
                using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
                figure.Draw(surface.Canvas, w, h);
                using var image = surface.Snapshot();
                using var data = image.Encode(SKEncodedImageFormat.Png, 100);
                using (var f = File.Create(tmp)) data.SaveTo(f);
            }
            else
            {
                using (var stream = new SKFileWStream(tmp))
                using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, w, h), stream))
                    figure.Draw(canvas, w, h);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return full;
    }

    /// <summary>An installed sans-serif family (DejaVu Sans, Liberation Sans, Arial, …), else ScottPlot's default.</summary>
    internal static string SansFamily { get; } = PickSans();

    private static string PickSans()
    {
        var installed = new HashSet<string>(SKFontManager.Default.FontFamilies, StringComparer.OrdinalIgnoreCase);
        foreach (var f in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI", "Noto Sans", "Open Sans" })
            if (installed.Contains(f)) return f;
        return Fonts.Default;
    }

    /// <summary>One panel: the quantity's name and its training/validation keys in the history.</summary>
    internal sealed record Panel(string Quantity, string? TrainKey, string? ValidationKey);

    /// <summary>The panels, in Keras's log order: loss first, then metrics; "learning_rate" only if it changed.</summary>
    internal static List<Panel> Panels(History history)
    {
        var keys = history.Keys.Where(k => history[k].Count > 0).ToList();
        var quantities = new List<string>();
        foreach (var k in keys)
        {
            string q = k.StartsWith("val_", StringComparison.Ordinal) ? k[4..] : k;
            if (!quantities.Contains(q)) quantities.Add(q);
        }
        quantities.Remove("loss");
        if (keys.Contains("loss") || keys.Contains("val_loss")) quantities.Insert(0, "loss");
        var panels = new List<Panel>();
        foreach (var q in quantities)
        {
            if (q == "learning_rate")
            {
                var lr = history["learning_rate"];
                if (lr.Distinct().Count() < 2) continue;
            }
            panels.Add(new Panel(q, keys.Contains(q) ? q : null, keys.Contains("val_" + q) ? "val_" + q : null));
        }
        return panels;
    }

    /// <summary>Whole-number epoch ticks 1, 2, 5, 10, 20, … apart, at most about eight.</summary>
    internal static double[] EpochTicks(int epochs)
    {
        int[] steps = [1, 2, 5];
        int step = 1;
        for (int scale = 1; ; scale *= 10)
        {
            bool found = false;
            foreach (var s in steps)
            {
                step = s * scale;
                if (epochs / step <= 8) { found = true; break; }
            }
            if (found) break;
        }
        var ticks = new List<double>();
        if (step >= 5) ticks.Add(1);
        for (int t = step; t <= epochs; t += step) ticks.Add(t);
        if (ticks.Count == 0) ticks.Add(1);
        return ticks.ToArray();
    }

    /// <summary>The figure: title, legend, panels side by side.</summary>
    private sealed class Figure(History history, List<Panel> panels, string title)
    {
        private const float TitleHeight = 34, LegendHeight = 26;

        public void Draw(SKCanvas canvas, int width, int height)
        {
            canvas.Clear(SKColors.White);
            using var typeface = SKTypeface.FromFamilyName(SansFamily, SKFontStyle.Bold) ?? SKTypeface.Default;
            using var regular = SKTypeface.FromFamilyName(SansFamily) ?? SKTypeface.Default;
            using (var font = new SKFont(typeface, 18))
            using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            {
                float tw = font.MeasureText(title);
                canvas.DrawText(title, Math.Max(8, (width - tw) / 2), 24, font, paint);
            }
            DrawLegend(canvas, width, regular);
            float top = TitleHeight + LegendHeight;
            float panelWidth = (float)width / panels.Count;
            for (int i = 0; i < panels.Count; i++)
            {
                var plot = MakePlot(panels[i]);
                var rect = new PixelRect(i * panelWidth, (i + 1) * panelWidth, height, top);
                // ScottPlot clears the canvas before drawing a plot: confine each panel to its rectangle.
                canvas.Save();
                canvas.ClipRect(new SKRect(rect.Left, rect.Top, rect.Right, rect.Bottom));
                plot.Render(canvas, rect);
                canvas.Restore();
            }
        }

        private void DrawLegend(SKCanvas canvas, int width, SKTypeface typeface)
        {
            var items = new List<(string label, Color color, bool dashed)>();
            if (panels.Any(p => p.TrainKey != null)) items.Add(("training", TrainColor, false));
            if (panels.Any(p => p.ValidationKey != null)) items.Add(("validation", ValidationColor, true));
            using var font = new SKFont(typeface, 14);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            const float sample = 28, gap = 6, spacing = 22;
            float total = items.Sum(it => sample + gap + font.MeasureText(it.label)) + spacing * (items.Count - 1);
            float x = (width - total) / 2, y = TitleHeight + 14;
            foreach (var (label, color, dashed) in items)
            {
                using var line = new SKPaint
                {
                    Color = new SKColor(color.R, color.G, color.B), StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke,
                    PathEffect = dashed ? SKPathEffect.CreateDash([6, 4], 0) : null,
                };
                canvas.DrawLine(x, y - 5, x + sample, y - 5, line);
                using var dot = new SKPaint { Color = new SKColor(color.R, color.G, color.B), IsAntialias = true };
                canvas.DrawCircle(x + sample / 2, y - 5, 3.5f, dot);
                canvas.DrawText(label, x + sample + gap, y, font, text);
                x += sample + gap + font.MeasureText(label) + spacing;
            }
        }

        private ScottPlot.Plot MakePlot(Panel panel)
        {
            var plot = new ScottPlot.Plot();
            plot.Font.Set(SansFamily);
            int epochs = 0;
            void Curve(string? key, Color color, bool dashed)
            {
                if (key is null) return;
                var ys = history[key].ToArray();
                var xs = Enumerable.Range(1, ys.Length).Select(e => (double)e).ToArray();
                epochs = Math.Max(epochs, ys.Length);
                var s = plot.Add.Scatter(xs, ys);
                s.Color = color;
                s.LineWidth = 2.5f;
                s.MarkerSize = ys.Length <= 40 ? 6 : 0;
                if (dashed) s.LinePattern = LinePattern.Dashed;
            }
            Curve(panel.TrainKey, TrainColor, dashed: false);
            Curve(panel.ValidationKey, ValidationColor, dashed: true);
            plot.Title(Pretty(panel.Quantity), size: 15);
            plot.XLabel("epoch", size: 13);
            var ticks = EpochTicks(epochs);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                ticks, ticks.Select(t => t.ToString("0", CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(epochs > 1 ? 1 - 0.04 * (epochs - 1) : 0.5, epochs > 1 ? epochs + 0.04 * (epochs - 1) : 1.5);
            plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.1);
            return plot;
        }

        private static string Pretty(string quantity) => quantity == "learning_rate" ? "learning rate" : quantity.Replace('_', ' ');
    }
}
