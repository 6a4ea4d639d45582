namespace Sharpkeras;

public static partial class Keras
{
    public static partial class Config
    {
        /// <summary>
        /// How <c>verbose: 1</c> progress bars print. <c>null</c> (default): redrawn in place, in Keras's colours,
        /// when the console is a terminal; one line per epoch in Keras's <c>verbose: 2</c> form when the output is
        /// redirected (a file, a pipe, a CI log). <c>true</c>: always redraw in place (Keras's dynamic display:
        /// backspaces and a carriage return per update, at most every 0.05 s), e.g. to watch a CI log live.
        /// <c>false</c>: never (one line per epoch, even in a terminal).
        /// </summary>
        public static bool? ProgressBarLiveUpdates { get; set; }
    }
}
