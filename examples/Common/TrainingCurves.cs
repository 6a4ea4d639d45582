using ScottPlot;

namespace Sharpkeras.Examples;

/// <summary>Saves a History as a PNG: loss (left axis) and accuracy (right axis) per epoch, train and validation.</summary>
public static class TrainingCurves
{
    /// <summary>Writes <paramref name="path"/> atomically (temp file in the same folder, then rename).</summary>
    public static void Save(History history, string path, string title)
    {
        var plot = new Plot();
        double[] xs = history.Epoch.Select(e => (double)(e + 1)).ToArray();
        void Line(string key, string label, bool right)
        {
            if (!history.ContainsKey(key)) return;
            var ys = history[key].ToArray();
            var s = plot.Add.Scatter(xs.Take(ys.Length).ToArray(), ys);
            s.LegendText = label;
            if (right) s.Axes.YAxis = plot.Axes.Right;
        }
        Line("loss", "train loss", false);
        Line("val_loss", "validation loss", false);
        Line("accuracy", "train accuracy", true);
        Line("val_accuracy", "validation accuracy", true);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        if (history.ContainsKey("accuracy")) plot.Axes.Right.Label.Text = "accuracy";
        plot.ShowLegend();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}.tmp.png");
        plot.SavePng(tmp, 900, 500);
        File.Move(tmp, path, overwrite: true);
    }
}
