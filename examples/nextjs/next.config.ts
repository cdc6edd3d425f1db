import type { NextConfig } from "next";

// Nothing qrlogin needs: no serverExternalPackages, no transpilePackages.
const config: NextConfig = {};

export default config;
