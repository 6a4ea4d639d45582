using System.Globalization;
using System.Text;
using Sharpkeras.Engine;
using Sharpkeras.Layers;

namespace Sharpkeras;

public partial class Model
{
    /// <summary>
    /// Prints the model's layers, output shapes and parameter counts in Keras's table form, then the
    /// total, trainable and non-trainable parameter counts with their memory size.
    /// </summary>
    /// <param name="printFn">Where each line goes (default Console.WriteLine).</param>
    public void Summary(Action<string>? printFn = null)
    {
        printFn ??= Console.WriteLine;
        foreach (var line in SummaryLines()) printFn(line);
    }

    /// <summary>The lines <see cref="Summary"/> prints.</summary>
    public IReadOnlyList<string> SummaryLines()
    {
        if (!Built && Variables.Count == 0)
            throw new InvalidOperationException(
                $"Model '{Name}' has not been built yet, so its layers' shapes and weights are unknown. Give the first layer an inputShape, use Keras.Input, call Build, or train/call the model once.");
        var rows = new List<string[]>();
        bool functional = IsFunctional && GraphNodes!.Any(n => n.Inputs.Length > 1 || n.Layer is InputLayer && Inputs.Count > 1)
                          || IsFunctional && GraphNodes!.Count(n => n.Layer is not InputLayer) != Layers.Count(l => l is not InputLayer);
        foreach (var layer in Layers)
        {
            string shape = layer is InputLayer il ? ShapeUtils.Format(il.BatchShape) : ShapeUtils.Format(layer.OutputShape);
            long p = layer.Built || layer.Variables.Count > 0 ? layer.Variables.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b)) : 0;
            string pstr = layer.Built || layer is InputLayer ? p.ToString("N0", CultureInfo.InvariantCulture) : "0 (unbuilt)";
            var row = new List<string> { $"{layer.Name} ({layer.GetType().Name})", shape, pstr };
            if (functional)
            {
                var sources = layer.InboundNodes.Where(n => GraphNodes!.Contains(n))
                    .SelectMany(n => n.Inputs.Select(i => $"{i.Layer.Name}[{Math.Max(0, i.Layer.InboundNodes.IndexOf(i.Node))}][{i.Index}]"));
                row.Add(string.Join(", ", sources).Trim() is { Length: > 0 } s ? s : "-");
            }
            rows.Add(row.ToArray());
        }
        string[] headers = functional
            ? ["Layer (type)", "Output Shape", "Param #", "Connected to"]
            : ["Layer (type)", "Output Shape", "Param #"];
        int[] widths = functional ? [31, 26, 13, 20] : [31, 22, 13];
        for (int c = 0; c < headers.Length; c++)
            widths[c] = Math.Max(widths[c], rows.Select(r => r[c].Length).DefaultIfEmpty(0).Max());
        var lines = new List<string> { $"Model: \"{Name}\"" };
        string Border(char left, char fill, char mid, char right) =>
            left + string.Join(mid, widths.Select(w => new string(fill, w + 2))) + right;
        string Row(string[] cells, char sep) =>
            sep + string.Join(sep, cells.Select((cell, i) => " " + (i == 2 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])) + " ")) + sep;
        lines.Add(Border('┏', '━', '┳', '┓'));
        lines.Add(Row(headers, '┃'));
        lines.Add(Border('┡', '━', '╇', '┩'));
        for (int i = 0; i < rows.Count; i++)
        {
            lines.Add(Row(rows[i], '│'));
            lines.Add(i < rows.Count - 1 ? Border('├', '─', '┼', '┤') : Border('└', '─', '┴', '┘'));
        }
        if (rows.Count == 0) lines.Add(Border('└', '─', '┴', '┘'));
        long trainable = TrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b));
        long nonTrainable = NonTrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b));
        long trainableBytes = TrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b) * v.Value.ElementSize);
        long nonTrainableBytes = NonTrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b) * v.Value.ElementSize);
        lines.Add($" Total params: {Fmt(trainable + nonTrainable)} ({ReadableSize(trainableBytes + nonTrainableBytes)})");
        lines.Add($" Trainable params: {Fmt(trainable)} ({ReadableSize(trainableBytes)})");
        lines.Add($" Non-trainable params: {Fmt(nonTrainable)} ({ReadableSize(nonTrainableBytes)})");
        return lines;
    }

    private static string Fmt(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Keras's readable memory size: 1024-based, two decimals ("241.04 KB").</summary>
    internal static string ReadableSize(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double size = bytes;
        int i = 0;
        while (size >= 1024 && i < units.Length - 1) { size /= 1024; i++; }
        return size.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[i];
    }
}
