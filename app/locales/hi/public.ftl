# बिज़नेस एडमिन के लिए पब्लिक पेज: साइनअप पेज, साइनअप लिंक का अस्वीकार होना, स्टेटस
# पेज, और public/signup.js व public/status.js के टेक्स्ट।
# अनुवादक "=" के बाद का टेक्स्ट बदलता है। हर { $name } को जैसा है वैसा ही रखें: पेज उसे भरता है।
# "Meta", "Facebook", "WhatsApp", "Marketing Messages API" और "Meta Business Suite" को वैसा ही लिखें
# जैसा Meta आपकी भाषा के Meta इंटरफ़ेस में लिखता है।

language-label = भाषा

## साइनअप पेज

signup-title = WhatsApp कनेक्ट करें
signup-sandbox-banner = टेस्ट मोड: इस पोर्टल में Meta को सिम्युलेट किया जा रहा है। किसी असली Facebook अकाउंट का इस्तेमाल नहीं होता।
signup-unavailable = साइनअप अभी उपलब्ध नहीं है: { $reason }
signup-partner-fallback = आपका WhatsApp पार्टनर
signup-heading = हमारे साथ WhatsApp मार्केटिंग मैसेज भेजें
signup-lead = कुछ ही क्लिक में अपना WhatsApp Business अकाउंट कनेक्ट करें। आप Meta की विंडो में Facebook से लॉग इन करते हैं; हम आपका पासवर्ड कभी नहीं देखते।
signup-email-label = आपका ईमेल (वैकल्पिक)
signup-email-hint = हम आपको इस सेटअप के स्टेटस पेज का लिंक भेजेंगे, और जब Meta को आपसे कुछ चाहिए होगा, तो आपको बताएंगे।
signup-connect = Facebook से कनेक्ट करें
signup-loading = Facebook लॉग इन लोड हो रहा है…
signup-agree-heading = आप किन बातों से सहमत होते हैं
signup-agree-share = आप अपना WhatsApp Business अकाउंट { $partner } के साथ शेयर करते हैं, जो आपकी ओर से मैसेज भेजता है।
signup-agree-terms = आप Meta की विंडो में WhatsApp के लिए Meta की Marketing Messages API की शर्तें स्वीकार करते हैं।
signup-agree-billing = Meta हर डिलीवर हुए मार्केटिंग मैसेज के लिए शुल्क लेता है, जो आपके अकाउंट के पेमेंट के तरीके से लिया जाता है।
signup-agree-remove = आप किसी भी समय Meta Business Suite में हमारा एक्सेस हटा सकते हैं।
signup-next-heading = आगे क्या होगा
signup-next-window = Meta की विंडो खुलेगी: अपना बिज़नेस, अकाउंट और नंबर चुनें या बनाएं।
signup-next-connect = हम आपका अकाउंट कनेक्ट करते हैं और Meta से मिलने वाले अपडेट चालू करते हैं।
signup-next-status = एक स्टेटस पेज हर स्टेप दिखाता है, जब तक आप मैसेज भेजने के लिए तैयार नहीं हो जाते।

## ऐसा साइनअप लिंक जिसका इस्तेमाल नहीं हो सकता

link-title = साइनअप लिंक
link-refused-heading = इस लिंक का इस्तेमाल नहीं किया जा सकता
link-refused-invalid = यह साइनअप लिंक मान्य नहीं है। देख लें कि आपने पूरा लिंक कॉपी किया है, या अपने पार्टनर से नया लिंक मांगें।
link-refused-nothing-shared = किसी के साथ कुछ भी शेयर नहीं हुआ: आपका WhatsApp अकाउंट पहले जैसा ही है।

## साइनअप बटन के मैसेज (public/signup.js)

js-ready = तैयार है। Meta की विंडो खोलने के लिए बटन दबाएं।
js-rate-limited-wait = आपके नेटवर्क से बहुत ज़्यादा कोशिशें हुई हैं। { $seconds } s में फिर से कोशिश की जा रही है…
js-rate-limited = आपके नेटवर्क से बहुत ज़्यादा कोशिशें हुई हैं। कृपया { $seconds } s में फिर से कोशिश करें।
js-session-failed = हम साइनअप सेशन शुरू नहीं कर सके: { $reason } फिर से कोशिश करने के लिए पेज रीलोड करें।
js-sdk-slow = Facebook लॉग इन लोड होने में ज़्यादा समय लग रहा है। अपना कनेक्शन या कॉन्टेंट ब्लॉकर जांचें, फिर पेज रीलोड करें।
js-sdk-start-failed = Facebook लॉग इन शुरू नहीं हो सका: { $reason }
js-sdk-missing = Facebook लॉग इन लोड नहीं हो सका। अपना कनेक्शन जांचें या अपने कॉन्टेंट ब्लॉकर में इस पेज को अनुमति दें, फिर रीलोड करें।
js-cancelled = आपने स्टेप { $step } पर Meta की विंडो बंद कर दी। फिर से कोशिश करने के लिए बटन दबाएं।
js-meta-error = Meta ने एक समस्या बताई: { $reason } फिर से कोशिश करने के लिए बटन दबाएं।
js-meta-done = Meta का हिस्सा पूरा हो गया। आपका अकाउंट कनेक्ट किया जा रहा है…
js-popup-closed = Meta की विंडो काम पूरा होने से पहले बंद हो गई, या आपके ब्राउज़र ने उसे ब्लॉक कर दिया। इस पेज के लिए पॉप-अप की अनुमति दें और बटन फिर से दबाएं।
js-connecting = आपका अकाउंट Meta से कनेक्ट किया जा रहा है…
js-connected = कनेक्ट हो गया। आपका स्टेटस पेज खोला जा रहा है…
js-window-open = Meta की विंडो खुली है। वहां स्टेप पूरे करें।
js-unreachable = सर्वर से संपर्क नहीं हो सका (HTTP { $status })।
js-email-invalid = यह ईमेल पता सही नहीं लग रहा। इसे ठीक करें या फ़ील्ड खाली छोड़ दें।

## स्टेटस पेज

status-title = आपका WhatsApp सेटअप
status-loading = आपका स्टेटस लोड हो रहा है…
status-not-found-heading = स्टेटस पेज नहीं मिला
status-not-found-body = आपको दिया गया लिंक जांचें, या साइनअप पेज से फिर से शुरू करें।
status-error-heading = आपका स्टेटस लोड नहीं हो सका
status-eyebrow = आपका WhatsApp सेटअप
status-phone = फ़ोन: { $phones }
status-updates-itself = यह पेज अपने आप अपडेट होता है। आप इसे बंद करके बाद में वापस आ सकते हैं।
status-connection-lost = कनेक्शन टूट गया। कनेक्शन वापस आते ही यह पेज फिर से अपडेट होगा।

badge-done = पूरा हुआ
badge-working = जारी है
badge-waiting = Meta का इंतज़ार
badge-action-needed = आपकी कार्रवाई ज़रूरी
badge-failed = रुका हुआ
badge-pending = शुरू नहीं हुआ

headline-ready = आप मार्केटिंग मैसेज भेजने के लिए तैयार हैं
headline-problem = हमें एक समस्या आई — जानकारी नीचे है
headline-action = आपकी कार्रवाई ज़रूरी है
headline-working = आपका अकाउंट सेट अप किया जा रहा है…

## स्टेटस चेकलिस्ट की लाइनें

check-connected = Meta से कनेक्ट हुआ
check-webhooks = Meta से मिलने वाले अपडेट चालू हुए
check-number = फ़ोन नंबर तैयार
check-terms = मार्केटिंग मैसेज की शर्तें साइन हुईं
check-ready = मार्केटिंग मैसेज भेजने के लिए तैयार

step-in-progress = जारी है…
step-retrying = Meta अभी व्यस्त है; हम अपने आप फिर से कोशिश करते हैं।
step-waiting = Meta का इंतज़ार है।
step-failed = रुका हुआ: { $reason }। हमारी टीम इसे देख रही है और इसे फिर से शुरू करेगी।

connected-done = आपका WhatsApp Business अकाउंट { $account } कनेक्ट हो गया है।
connected-working = Meta से कनेक्ट किया जा रहा है…
connected-failed = कनेक्शन नहीं हो सका। कृपया फिर से कनेक्ट करें।
connected-cancelled = साइनअप विंडो बंद कर दी गई। साइनअप पेज खोलें और फिर से कनेक्ट करें।
connected-cancelled-at = साइनअप विंडो स्टेप { $step } पर बंद कर दी गई। साइनअप पेज खोलें और फिर से कनेक्ट करें।
connected-pending = अभी कनेक्ट नहीं हुआ।

connection-offboarded = फ़ोन बदलने या नंबर को फिर से रजिस्टर करने के बाद आपका WhatsApp नंबर हमसे डिस्कनेक्ट हो गया। अपने फ़ोन पर WhatsApp Business ऐप खोलें और उसे फिर से कनेक्ट करें; नंबर वापस कनेक्ट होते ही सेटअप अपने आप आगे बढ़ेगा।
connection-removed = आपका WhatsApp Business अकाउंट अब हमारे साथ शेयर नहीं है, इसलिए हम आपके लिए मार्केटिंग मैसेज नहीं भेज सकते। फिर से शुरू करने के लिए, साइनअप पेज से अपना अकाउंट एक बार फिर कनेक्ट करें।
connection-uninstalled = आपके WhatsApp Business अकाउंट से हमारे ऐप का एक्सेस हटा दिया गया, इसलिए हम आपके लिए मैसेज नहीं भेज सकते। फिर से शुरू करने के लिए, साइनअप पेज से अपना अकाउंट एक बार फिर कनेक्ट करें।
connection-deleted = यह WhatsApp Business अकाउंट डिलीट कर दिया गया है। मार्केटिंग मैसेज का इस्तेमाल करने के लिए, साइनअप पेज से कोई दूसरा अकाउंट कनेक्ट करें।

webhooks-pending = हम आपके अकाउंट के लिए Meta से मिलने वाले अपडेट चालू करेंगे।
webhooks-done = Meta आपके अकाउंट के अपडेट हमें भेजता है।

number-pending = हम आपका फ़ोन नंबर Cloud API के लिए रजिस्टर करेंगे।
number-done = आपका फ़ोन नंबर Cloud API के लिए रजिस्टर हो गया है।
number-limit = Meta किसी नंबर को 72 घंटे में 10 बार ही रजिस्टर करने देता है और यह नंबर उस सीमा तक पहुंच गया है। सीमा रीसेट होने पर हम फिर से कोशिश करेंगे।
number-none = कोई फ़ोन नंबर शेयर नहीं किया गया। WhatsApp Manager में अपने WhatsApp Business अकाउंट में एक नंबर जोड़ें।
number-coexistence = आपका नंबर WhatsApp Business ऐप में ही रहता है (सह-अस्तित्व): पंजीकरण की ज़रूरत नहीं है।

terms-done = Meta ने पुष्टि की है: आपने Marketing Messages API की शर्तें स्वीकार कर ली हैं।
terms-waiting = Meta की ओर से मार्केटिंग मैसेज की शर्तों की पुष्टि का इंतज़ार है।
terms-pending = आपके कनेक्ट करने के बाद।

guidance-on-behalf-of = यह अकाउंट आपकी ओर से एक पार्टनर मैनेज करता है (on-behalf-of)। हमसे इसका मालिकाना हक आपके बिज़नेस को ट्रांसफ़र करने के लिए कहें; इसके बाद यह योग्य हो जाएगा।
guidance-restricted = Meta ने इस अकाउंट को प्रतिबंधित या निष्क्रिय कर दिया है। Meta Business Suite में Business Support Home देखें और प्रतिबंध को हल करें।
guidance-country = Marketing Messages API अभी आपके देश के बिज़नेस के लिए उपलब्ध नहीं है।
guidance-business-app = इस अकाउंट का नंबर सिर्फ़ WhatsApp Business ऐप में इस्तेमाल होता है। योग्य बनने के लिए इसे Cloud API से कनेक्ट करें (या coexistence का इस्तेमाल करें)।
guidance-payment-method = Meta Business Suite (बिलिंग और पेमेंट) में अपने WhatsApp Business अकाउंट में पेमेंट का एक मान्य तरीका जोड़ें।
guidance-internal-setup = Meta आपके अकाउंट का सेटअप पूरा कर रहा है। इसमें आमतौर पर कुछ मिनट लगते हैं; आपको कुछ नहीं करना है।
guidance-eligible = आपका अकाउंट योग्य है। Meta की ओर से मार्केटिंग मैसेज की शर्तों की पुष्टि का इंतज़ार है।

ready-done = आप हमारे ज़रिए मार्केटिंग मैसेज भेज सकते हैं।
ready-restricted = Meta ने इस अकाउंट पर एक प्रतिबंध की जानकारी दी है। Business Support Home देखें।
ready-pending = ऊपर दिए गए स्टेप पूरे होते ही।

## अनसब्सक्राइब लिंक से खुलने वाला पेज

unsubscribe-title = ईमेल प्राथमिकताएं
unsubscribe-confirm = ये ईमेल बंद करें
unsubscribe-heading = आपको इस सेटअप के बारे में अब और ईमेल नहीं मिलेंगे
unsubscribe-body = हमने इस WhatsApp सेटअप के बारे में { $email } पर ईमेल भेजना बंद कर दिया है। आपका स्टेटस पेज अब भी हर स्टेप दिखाता है।
unsubscribe-invalid = यह अनसब्सक्राइब लिंक मान्य नहीं है। देख लें कि आपने पूरा लिंक खोला है।
