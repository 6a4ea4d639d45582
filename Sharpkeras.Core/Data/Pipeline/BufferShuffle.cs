namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// tf.data's shuffle buffer: fills a buffer with up to <c>bufferSize</c> elements, then repeatedly emits a
/// uniformly chosen buffered element and puts the next input element in its place. With a buffer at least as
/// large as the input this is a uniform random permutation.
/// </summary>
internal static class BufferShuffle
{
    public static IEnumerable<T> Run<T>(IEnumerable<T> source, int bufferSize, SeededRandom rng, Action<T>? discard = null)
    {
        var buffer = new List<T>(Math.Min(bufferSize, 1 << 16));
        var e = source.GetEnumerator();
        bool more = true;
        try
        {
            while (buffer.Count < bufferSize && (more = e.MoveNext())) buffer.Add(e.Current);
            while (buffer.Count > 0)
            {
                int i = rng.Next(buffer.Count);
                var item = buffer[i];
                if (more && (more = e.MoveNext())) buffer[i] = e.Current;
                else
                {
                    buffer[i] = buffer[^1];
                    buffer.RemoveAt(buffer.Count - 1);
                }
                yield return item;
            }
        }
        finally
        {
            if (discard != null)
                foreach (var item in buffer) discard(item);
            buffer.Clear();
            e.Dispose();
        }
    }
}
