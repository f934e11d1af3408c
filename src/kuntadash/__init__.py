"""kuntadash: sustainability dashboard for Finland's municipalities."""
