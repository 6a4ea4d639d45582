namespace Sharpkeras.Display;

/// <summary>
/// The table Keras's <c>model.summary()</c> prints, laid out the way the <c>rich</c> library lays out
/// <c>Table(*columns, width=line_length, show_lines=True)</c> with fixed column widths: heavy-head box,
/// one space of padding each side, columns shrunk evenly to fit the line (rich's <c>ratio_reduce</c>),
/// cell text wrapped at spaces and cut with "…" when a word is longer than its column.
/// </summary>
internal sealed class RichTable
{
    /// <summary>How a column's text sits in its cell.</summary>
    public enum Justify { Left, Right, Center }

    private readonly string[] _headers;
    private readonly Justify[] _justify;
    private readonly List<string[]> _rows = new();

    /// <summary>Creates a table with these headers and alignments and content widths.</summary>
    public RichTable(string[] headers, Justify[] justify, int[] columnWidths)
    {
        _headers = headers;
        _justify = justify;
        CellWidths = columnWidths;
    }

    /// <summary>Widths of the cells (padding included, borders excluded).</summary>
    public int[] CellWidths { get; }

    /// <summary>Adds a row.</summary>
    public void AddRow(string[] cells) => _rows.Add(cells);

    /// <summary>
    /// rich's widths for fixed-width columns in a table of total width <paramref name="lineLength"/>:
    /// each column asks for its width plus 2 of padding; the excess over the room between the borders is
    /// taken off evenly, rounding half to even, first columns first.
    /// </summary>
    public static int[] CellWidthsFor(int lineLength, int[] columnWidths)
    {
        int n = columnWidths.Length;
        int maxWidth = lineLength - (n + 1);
        int Measure(int column, int max) => max < 1 ? 0 : Math.Min(columnWidths[column] + 2, max);
        var widths = Enumerable.Range(0, n).Select(i => Measure(i, maxWidth)).Select(w => w == 0 ? 1 : w).ToArray();
        if (widths.Sum() > maxWidth)
        {
            int totalRemaining = widths.Sum() - maxWidth;
            int totalRatio = widths.Count(w => w != 0);
            var reduced = new int[n];
            for (int i = 0; i < n; i++)
            {
                if (widths[i] != 0 && totalRatio > 0)
                {
                    int distributed = Math.Min(widths[i], (int)Math.Round((double)totalRemaining / totalRatio, MidpointRounding.ToEven));
                    reduced[i] = widths[i] - distributed;
                    totalRemaining -= distributed;
                    totalRatio -= 1;
                }
                else reduced[i] = widths[i];
            }
            widths = Enumerable.Range(0, n).Select(i => Measure(i, reduced[i])).ToArray();
        }
        return widths;
    }

    /// <summary>Renders the table as lines; <paramref name="paint"/> (column, text, isHeader) styles each cell line's text.</summary>
    public List<string> Render(Func<int, string, bool, string>? paint = null)
    {
        var lines = new List<string> { Border('┏', '━', '┳', '┓') };
        lines.AddRange(RenderRow(_headers, header: true, '┃', paint));
        lines.Add(Border('┡', '━', '╇', '┩'));
        for (int r = 0; r < _rows.Count; r++)
        {
            lines.AddRange(RenderRow(_rows[r], header: false, '│', paint));
            if (r < _rows.Count - 1) lines.Add(Border('├', '─', '┼', '┤'));
        }
        lines.Add(Border('└', '─', '┴', '┘'));
        return lines;
    }

    private string Border(char left, char fill, char mid, char right) =>
        left + string.Join(mid, CellWidths.Select(w => new string(fill, w))) + right;

    private IEnumerable<string> RenderRow(string[] cells, bool header, char edge, Func<int, string, bool, string>? paint)
    {
        var rendered = new List<string>[cells.Length];
        for (int c = 0; c < cells.Length; c++)
        {
            int inner = Math.Max(0, CellWidths[c] - 2);
            rendered[c] = Wrap(cells[c], inner, _justify[c]).Select(l => SetLength(l, inner)).ToList();
        }
        int height = rendered.Max(r => r.Count);
        for (int c = 0; c < cells.Length; c++)
        {
            int inner = Math.Max(0, CellWidths[c] - 2);
            var blank = new string(' ', inner);
            while (rendered[c].Count < height)
            {
                if (header) rendered[c].Insert(0, blank); else rendered[c].Add(blank);
            }
        }
        for (int line = 0; line < height; line++)
        {
            var parts = new List<string>();
            for (int c = 0; c < cells.Length; c++)
            {
                string text = rendered[c][line];
                if (CellWidths[c] < 2) { parts.Add(SetLength(" " + text + " ", CellWidths[c])); continue; }
                parts.Add(" " + (paint is null ? text : paint(c, text, header)) + " ");
            }
            yield return edge + string.Join(edge, parts) + edge;
        }
    }

    private static string SetLength(string s, int width) => s.Length > width ? s[..width] : s.PadRight(width);

    /// <summary>rich's <c>Text.wrap</c> with overflow "ellipsis": break at spaces, never inside a word; cut an over-long word with "…".</summary>
    internal static List<string> Wrap(string text, int width, Justify justify)
    {
        var result = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var offsets = DivideLine(line, width);
            var pieces = new List<string>();
            int start = 0;
            foreach (var o in offsets) { pieces.Add(line[start..o]); start = o; }
            pieces.Add(line[start..]);
            for (int i = 0; i < pieces.Count; i++)
            {
                string p = pieces[i];
                if (p.Length > width)
                {
                    int ws = p.Length - p.TrimEnd().Length;
                    p = p[..(p.Length - Math.Min(ws, p.Length - width))];
                }
                p = justify switch
                {
                    Justify.Left => Truncate(p, width).PadRight(width),
                    Justify.Right => PadLeft(Truncate(p.TrimEnd(), width), width),
                    _ => Center(Truncate(p.TrimEnd(), width), width),
                };
                pieces[i] = Truncate(p, width);
            }
            result.AddRange(pieces);
        }
        return result;
    }

    private static string PadLeft(string s, int width) => s.PadLeft(Math.Max(s.Length, width));

    private static string Center(string s, int width)
    {
        int left = Math.Max(0, (width - s.Length) / 2);
        s = new string(' ', left) + s;
        return s.PadRight(Math.Max(s.Length, width));
    }

    private static string Truncate(string s, int width) =>
        s.Length <= width ? s : (width <= 0 ? "" : s[..(width - 1)] + "…");

    /// <summary>rich's <c>divide_line</c> without folding: the offsets where the line breaks.</summary>
    internal static List<int> DivideLine(string text, int width)
    {
        var breaks = new List<int>();
        int cellOffset = 0;
        int pos = 0;
        while (pos < text.Length)
        {
            // a word: leading whitespace, non-space run, trailing whitespace (regex \s*\S+\s*)
            int start = pos, i = pos;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length) break;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            int wordEndNoSpace = i;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            string word = text[start..i];
            int wordLength = word.TrimEnd().Length;
            _ = wordEndNoSpace;
            int remaining = width - cellOffset;
            if (remaining >= wordLength) cellOffset += word.Length;
            else if (wordLength > width)
            {
                if (start > 0) breaks.Add(start);
                cellOffset = word.Length;
            }
            else if (cellOffset > 0 && start > 0)
            {
                breaks.Add(start);
                cellOffset = word.Length;
            }
            pos = i;
        }
        return breaks;
    }
}
