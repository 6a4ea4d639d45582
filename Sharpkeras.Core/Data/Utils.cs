using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data;

/// <summary>
/// Data utilities (Keras's <c>keras.utils</c> for data): <see cref="ToCategorical"/>, the download helper
/// <see cref="GetFile"/> and the dataset cache location.
/// </summary>
public static partial class Utils
{
    private static bool? _offline;

    /// <summary>
    /// When true, <see cref="GetFile"/> never goes to the network except to a loopback address
    /// (127.0.0.0/8, ::1, localhost — local mirrors and tests): a file missing from the cache fails at once
    /// with the message saying where to put it. Defaults to the environment variable
    /// <c>SHARPKERAS_OFFLINE</c> ("1" or "true").
    /// </summary>
    public static bool Offline
    {
        get => _offline ?? Environment.GetEnvironmentVariable("SHARPKERAS_OFFLINE") is "1" or "true" or "TRUE" or "True";
        set => _offline = value;
    }

    /// <summary>
    /// How long a download may wait for the server (to connect, or between two chunks of the body) before the
    /// attempt fails; default 60 seconds.
    /// </summary>
    public static TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The cache root: the environment variable <c>SHARPKERAS_HOME</c> when set, else <c>~/.sharpkeras</c>
    /// (Keras's <c>KERAS_HOME</c> / <c>~/.keras</c>). Datasets are cached in <c>&lt;root&gt;/datasets/&lt;name&gt;/</c>.
    /// </summary>
    public static string CacheRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("SHARPKERAS_HOME");
            if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sharpkeras");
        }
    }

    /// <summary>
    /// Converts a tensor of class indices to a float32 one-hot matrix (Keras's <c>to_categorical</c>): the
    /// result has the input's shape plus a last axis of <paramref name="numClasses"/> (a trailing axis of size 1
    /// is dropped first, so (N, 1) labels give (N, numClasses)).
    /// </summary>
    /// <param name="y">Class indices (an integer tensor, or floats holding whole numbers), each in [0, numClasses).</param>
    /// <param name="numClasses">Number of classes; default max(y) + 1.</param>
    /// <exception cref="ArgumentException">A label is negative, fractional, or not below <paramref name="numClasses"/>.</exception>
    public static Tensor ToCategorical(Tensor y, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.dtype == ScalarType.Bool || y.is_complex())
            throw new ArgumentException($"ToCategorical needs integer class indices; got a {y.dtype} tensor.", nameof(y));
        if (numClasses is < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be at least 1.");
        using var scope = torch.NewDisposeScope();
        var shape = y.shape;
        if (shape.Length > 1 && shape[^1] == 1) shape = shape[..^1];
        var flat = y.reshape(-1);
        if (y.dtype.IsFloat())
        {
            if (flat.numel() > 0 && !flat.eq(flat.trunc()).all().item<bool>())
                throw new ArgumentException("ToCategorical needs whole-number class indices; y has fractional values.", nameof(y));
        }
        var labels = flat.to(ScalarType.Int64);
        long n = labels.numel();
        if (n == 0 && numClasses is null)
            throw new ArgumentException("ToCategorical: y is empty, so numClasses must be given.", nameof(numClasses));
        long min = n > 0 ? labels.min().item<long>() : 0, max = n > 0 ? labels.max().item<long>() : -1;
        if (min < 0) throw new ArgumentException($"ToCategorical: class indices must be >= 0; y contains {min}.", nameof(y));
        long k = numClasses ?? max + 1;
        if (max >= k)
            throw new ArgumentException($"ToCategorical: y contains class {max}, which is not below numClasses = {k}.", nameof(y));
        var onehot = torch.nn.functional.one_hot(labels, k).to(ScalarType.Float32);
        return onehot.reshape([.. shape, k]).MoveToOuterDisposeScope();
    }
}
